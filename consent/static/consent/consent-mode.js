/*
 * Cookie consent, part one: the first script of the page, deferred like the others (it does
 * not hold up the first paint). Deferred scripts run in the order of the document, so this one
 * runs before consent.js, which is the only way a tag script gets into the page (the page's
 * Content-Security-Policy refuses any other): the defaults are set before any tag can read them.
 *
 * 1. Google Consent Mode v2 defaults: every storage a tag could use is denied, except
 *    security storage. Google tags run only after consent, and they start from these.
 * 2. A stored choice that is valid for the current policy version (or a later one) is sent at once as an
 *    update, before any tag reads the defaults.
 * 3. window.ukiyoConsent reads and saves the choice for consent.js.
 *
 * The cookie's format is described in consent/cookie.py; it is read here with the same strict
 * rules. A cookie this file does not understand means "no choice yet", never an error.
 * Configuration comes from this script element's data attributes (no inline script).
 */
(function () {
    "use strict";

    var script = document.currentScript;

    function setting(name, fallback) {
        var value = parseInt(script ? script.getAttribute("data-" + name) : "", 10);
        return value > 0 ? value : fallback;
    }

    var cookieName = (script && script.getAttribute("data-cookie")) || "ukiyo_consent";
    var version = setting("version", 1);
    var maxAge = setting("max-age", 182 * 24 * 60 * 60);

    var CATEGORIES = ["analytics", "marketing", "functional"];
    var SIGNALS = {
        analytics: ["analytics_storage"],
        marketing: ["ad_storage", "ad_user_data", "ad_personalization"],
        functional: ["functionality_storage", "personalization_storage"]
    };
    var GRAMMAR = {
        v: /^[1-9][0-9]{0,8}$/,
        t: /^[0-9]{1,11}$/,
        analytics: /^[01]$/,
        marketing: /^[01]$/,
        functional: /^[01]$/,
        id: /^[0-9a-f]{32}$/
    };
    var FIELDS = ["v", "t"].concat(CATEGORIES);

    window.dataLayer = window.dataLayer || [];
    if (typeof window.gtag !== "function") {
        // As Google's snippet defines it: gtag.js reads the arguments objects it finds.
        window.gtag = function () {
            window.dataLayer.push(arguments);
        };
    }

    function signals(granted) {
        var result = {};
        CATEGORIES.forEach(function (category) {
            SIGNALS[category].forEach(function (signal) {
                result[signal] = granted && granted[category] === true ? "granted" : "denied";
            });
        });
        return result;
    }

    var defaults = signals(null);
    defaults.security_storage = "granted";
    window.gtag("consent", "default", defaults);

    // document.cookie throws in a sandboxed frame: no cookies there, and no error either.
    function cookieString() {
        try {
            return String(document.cookie || "");
        } catch (error) {
            return "";
        }
    }

    function writeCookie(text) {
        try {
            document.cookie = text;
        } catch (error) {
            // Nothing can be stored here; the choice holds for this page only.
        }
    }

    function rawCookie() {
        var pairs = cookieString().split(";");
        for (var i = 0; i < pairs.length; i++) {
            var pair = pairs[i].replace(/^\s+/, "");
            if (pair.indexOf(cookieName + "=") === 0) {
                return pair.slice(cookieName.length + 1).replace(/\s+$/, "");
            }
        }
        return null;
    }

    function parse(value) {
        if (typeof value !== "string" || !value || value.length > 200) {
            return null;
        }
        // The server's cookie reader takes off surrounding quotes: so does this one.
        if (value.length > 1 && value.charAt(0) === '"' && value.charAt(value.length - 1) === '"') {
            value = value.slice(1, -1);
        }
        var fields = {};
        var pairs = value.split("&");
        for (var i = 0; i < pairs.length; i++) {
            var at = pairs[i].indexOf("=");
            var name = pairs[i].slice(0, at);
            var field = pairs[i].slice(at + 1);
            if (at < 0 || !GRAMMAR.hasOwnProperty(name) || fields.hasOwnProperty(name) ||
                    !GRAMMAR[name].test(field)) {
                return null;
            }
            fields[name] = field;
        }
        // Every field, and optionally, last, the consent id of the server's consent log.
        var hasId = fields.hasOwnProperty("id");
        if (pairs.length !== FIELDS.length + (hasId ? 1 : 0) ||
                (hasId && pairs[pairs.length - 1].indexOf("id=") !== 0)) {
            return null;
        }
        var granted = {};
        CATEGORIES.forEach(function (category) {
            granted[category] = fields[category] === "1";
        });
        var choice = {version: parseInt(fields.v, 10), time: parseInt(fields.t, 10), granted: granted};
        if (hasId) {
            choice.id = fields.id;
        }
        return choice;
    }

    function serialize(choice) {
        var values = {v: choice.version, t: choice.time};
        CATEGORIES.forEach(function (category) {
            values[category] = choice.granted[category] ? 1 : 0;
        });
        return FIELDS.map(function (name) {
            return name + "=" + values[name];
        }).join("&") + (choice.id ? "&id=" + choice.id : "");
    }

    // {status: "none" | "valid" | "invalid" | "outdated", choice: the valid choice or null}
    function read() {
        var raw = rawCookie();
        if (raw === null) {
            return {status: "none", choice: null};
        }
        var choice = parse(raw);
        if (!choice) {
            return {status: "invalid", choice: null};
        }
        // A later version than this page's: the page came from a cache older than the choice.
        if (choice.version < version) {
            return {status: "outdated", choice: null};
        }
        return {status: "valid", choice: choice};
    }

    // Stores the reader's answer (an object: category → true to grant) and tells Google tags.
    function save(answer) {
        var granted = {};
        CATEGORIES.forEach(function (category) {
            granted[category] = Boolean(answer && answer[category] === true);
        });
        var choice = {version: version, time: Math.floor(Date.now() / 1000), granted: granted};
        // A new choice of the same reader is logged under the same consent id.
        var previous = parse(rawCookie());
        if (previous && previous.id) {
            choice.id = previous.id;
        }
        writeCookie(cookieName + "=" + serialize(choice) + "; path=/; max-age=" + maxAge +
            "; samesite=lax" + (location.protocol === "https:" ? "; secure" : ""));
        window.gtag("consent", "update", signals(granted));
        return choice;
    }

    // Tells Google tags about a choice made elsewhere (another page or tab).
    function tell(granted) {
        window.gtag("consent", "update", signals(granted));
    }

    var stored = read();
    if (stored.choice) {
        window.gtag("consent", "update", signals(stored.choice.granted));
    }

    window.ukiyoConsent = {
        categories: CATEGORIES.slice(),
        cookieName: cookieName,
        version: version,
        cookieString: cookieString,
        writeCookie: writeCookie,
        parse: parse,
        serialize: serialize,
        read: read,
        save: save,
        tell: tell
    };
})();
