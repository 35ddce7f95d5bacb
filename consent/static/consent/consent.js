/*
 * Cookie consent, part two (deferred): the banner, the scripts that wait for consent, and
 * the removal of refused categories' cookies. Reads and saves through consent-mode.js.
 *
 * The page is the same for every reader: the banner is in it, hidden, and shown here when
 * the reader has no valid choice. The scripts editors configured are JSON data
 * (#consent-config), parsed into an inert <template> and brought to life (new <script>
 * elements, which the browser runs) only for the categories the reader granted.
 */
(function () {
    "use strict";

    var consent = window.ukiyoConsent;
    if (!consent) {
        return;
    }

    // The page's Content-Security-Policy nonce, which this script element carries: the scripts
    // started below (only ever for a granted category, or an embed the reader asked for) get
    // it, or the policy would stop them. Browsers hide the attribute; the property keeps it.
    var nonce = (document.currentScript && document.currentScript.nonce) || "";
    var config = readConfig();
    var banner = document.querySelector("[data-consent-banner]");
    var status = document.querySelector("[data-consent-status]");
    var started = {};

    function readConfig() {
        var element = document.getElementById("consent-config");
        var data = null;
        try {
            data = JSON.parse(element.textContent);
        } catch (error) {
            data = null;
        }
        data = data && typeof data === "object" ? data : {};
        return {
            scripts: Array.isArray(data.scripts) ? data.scripts : [],
            cookies: data.cookies && typeof data.cookies === "object" ? data.cookies : {},
            essential: Array.isArray(data.essential) ? data.essential : [],
            record: typeof data.record === "string" ? data.record : null
        };
    }

    // The server sets the same cookie again: a cookie written by a script lives seven days
    // in Safari, one set by a response its full term. The choice already holds if this fails.
    function record(choice) {
        if (!config.record || !window.fetch) {
            return;
        }
        try {
            window.fetch(config.record, {
                method: "POST",
                credentials: "same-origin",
                headers: {"Content-Type": "application/json"},
                body: JSON.stringify({choice: consent.serialize(choice)})
            }).catch(function () {});
        } catch (error) {
            // Nothing to do: the cookie written by this page stays.
        }
    }

    // -- scripts -----------------------------------------------------------

    // Brings a snippet to life. Scripts parsed into a <template> are marked as already
    // started, so the fragment goes in whole and inert; then each script is replaced, in
    // order, by a new one the browser runs. An external script is waited for (load or error)
    // before the next one goes in, as the parser would: `<script src=lib.js>` then
    // `<script>Lib.init()</script>` works. A script marked async is not waited for.
    // <noscript> is dropped: parsed as a template, its content would become live markup.
    function run(html, target, done) {
        var holder = document.createElement("template");
        holder.innerHTML = html; // inert: nothing in a template runs or loads
        // Before the import: an image imported into the page starts loading at once.
        var hidden = holder.content.querySelectorAll("noscript");
        for (var n = 0; n < hidden.length; n++) {
            hidden[n].parentNode.removeChild(hidden[n]);
        }
        var fragment = document.importNode(holder.content, true);
        var inert = Array.prototype.slice.call(fragment.querySelectorAll("script"));
        if (target) {
            target.parentNode.replaceChild(fragment, target);
        } else {
            document.body.appendChild(fragment);
        }
        revive(inert, 0, done);
    }

    function waitsFor(script) {
        var type = (script.getAttribute("type") || "").toLowerCase();
        var runnable = !type || type === "module" || /^(text|application)\/(x-)?(java|ecma)script$/.test(type);
        return script.hasAttribute("src") && !script.hasAttribute("async") && runnable &&
            !script.hasAttribute("nomodule");
    }

    function revive(list, index, done) {
        if (index >= list.length) {
            if (done) {
                done();
            }
            return;
        }
        var inert = list[index];
        var next = function () {
            revive(list, index + 1, done);
        };
        var live = document.createElement("script");
        for (var a = 0; a < inert.attributes.length; a++) {
            live.setAttribute(inert.attributes[a].name, inert.attributes[a].value);
        }
        live.text = inert.textContent;
        // Any nonce written in the snippet is replaced by the page's.
        live.removeAttribute("nonce");
        if (nonce) {
            live.nonce = nonce;
        }
        var waiting = waitsFor(live);
        if (waiting) {
            live.addEventListener("load", next);
            live.addEventListener("error", next);
        }
        try {
            inert.parentNode.replaceChild(live, inert);
        } catch (error) {
            waiting = false; // removed meanwhile by an earlier script: go on
        }
        if (!waiting) {
            next();
        }
    }

    function start(category) {
        if (started[category]) {
            return;
        }
        started[category] = true;
        config.scripts.forEach(function (script) {
            if (script && script.category === category && typeof script.html === "string") {
                try {
                    run(script.html);
                } catch (error) {
                    // One broken snippet must not stop the others or the banner.
                }
            }
        });
    }

    // -- cookies of refused categories -------------------------------------

    function matches(name, patterns) {
        return patterns.some(function (pattern) {
            if (typeof pattern !== "string" || !pattern) {
                return false;
            }
            if (pattern.charAt(pattern.length - 1) === "*") {
                return name.indexOf(pattern.slice(0, -1)) === 0;
            }
            return name === pattern;
        });
    }

    // A script may have set its cookie on this host or on a parent domain, for the whole
    // site or for this page's path or one of its parents: try each. Secure on https, so that
    // __Secure- and __Host- cookies can be expired too.
    function expire(name) {
        var host = location.hostname;
        var domains = [""];
        if (!/^[0-9.]+$/.test(host) && host.indexOf(":") < 0) {
            var parts = host.split(".");
            for (var i = 0; i < parts.length - 1; i++) {
                domains.push("; domain=." + parts.slice(i).join("."));
            }
        }
        var paths = ["/"];
        var segments = location.pathname.split("/");
        for (var j = 2; j <= segments.length; j++) {
            var path = segments.slice(0, j).join("/");
            if (path.length > 1) {
                paths.push(path.replace(/\/$/, ""), path.replace(/\/?$/, "/"));
            }
        }
        var secure = location.protocol === "https:" ? "; secure" : "";
        domains.forEach(function (domain) {
            paths.forEach(function (path, index) {
                if (paths.indexOf(path) === index) {
                    consent.writeCookie(name + "=; max-age=0; path=" + path + domain + secure);
                }
            });
        });
    }

    function removeRefused(granted) {
        var patterns = [];
        consent.categories.forEach(function (category) {
            var list = config.cookies[category];
            if (!granted[category] && Array.isArray(list)) {
                patterns = patterns.concat(list);
            }
        });
        if (!patterns.length) {
            return;
        }
        consent.cookieString().split(";").forEach(function (pair) {
            var name = pair.split("=")[0].replace(/^\s+|\s+$/g, "");
            if (name && config.essential.indexOf(name) < 0 && name !== consent.cookieName &&
                    matches(name, patterns)) {
                expire(name);
            }
        });
    }

    function apply(granted) {
        consent.categories.forEach(function (category) {
            if (granted[category]) {
                start(category);
            }
        });
        if (granted.functional) {
            loadEmbeds();
        }
        removeRefused(granted);
    }

    // -- embedded content (news/templates/news/blocks/embed.html) --------------
    // The provider's HTML waits in a <template> beside a placeholder. It loads for every
    // embed once functional cookies are allowed, or for one embed when its button is pressed
    // (for this page view only).

    function loadEmbed(frame) {
        var template = frame.querySelector("template[data-consent-embed-html]");
        var placeholder = frame.querySelector("[data-consent-embed-placeholder]");
        if (!template || !placeholder) {
            return;
        }
        var hadFocus = placeholder.contains(document.activeElement);
        var html = template.innerHTML;
        template.parentNode.removeChild(template);
        run(html, placeholder);
        if (hadFocus) {
            frame.setAttribute("tabindex", "-1");
            frame.focus({preventScroll: true});
        }
    }

    function loadEmbeds() {
        var frames = document.querySelectorAll("[data-consent-embed]");
        for (var i = 0; i < frames.length; i++) {
            loadEmbed(frames[i]);
        }
    }

    (function offerEmbeds() {
        var buttons = document.querySelectorAll("[data-consent-embed-load]");
        for (var i = 0; i < buttons.length; i++) {
            buttons[i].hidden = false; // without this script, only the link is offered
        }
        document.addEventListener("click", function (event) {
            var button = event.target.closest && event.target.closest("[data-consent-embed-load]");
            var frame = button && button.closest("[data-consent-embed]");
            if (frame) {
                loadEmbed(frame);
            }
        });
    })();

    // -- banner --------------------------------------------------------------

    function reserveSpace() {
        // Room below the footer, so that the fixed banner never hides the end of the page:
        // the page grows by the banner's height, and nothing on it moves (see ukiyo.css).
        // The same height is the root's scroll padding: focused elements stay clear of it.
        var height = banner && !banner.hidden ? banner.offsetHeight : 0;
        document.documentElement.style.setProperty("--consent-banner-height", height + "px");
    }

    // The banner's height changes with the window's width, its fonts and "Details".
    var resizing = window.ResizeObserver ? new ResizeObserver(reserveSpace) : null;

    function showBanner() {
        // Early in the page, so that keyboard and screen reader users meet it first: right
        // after the skip link, which stays the first stop.
        var skipLink = document.querySelector("body > .skip-link");
        document.body.insertBefore(banner, skipLink ? skipLink.nextSibling : document.body.firstChild);
        banner.hidden = false;
        document.body.classList.add("has-consent-banner");
        reserveSpace();
        if (resizing) {
            resizing.observe(banner);
        } else {
            window.addEventListener("resize", reserveSpace);
        }
    }

    function hideBanner() {
        banner.hidden = true;
        document.body.classList.remove("has-consent-banner");
        if (resizing) {
            resizing.disconnect();
        } else {
            window.removeEventListener("resize", reserveSpace);
        }
        reserveSpace();
    }

    // Phones: "Details" unfolds the banner's whole text and the policy links, and folds them.
    function toggleDetails(button) {
        var open = button.getAttribute("aria-expanded") !== "true";
        button.setAttribute("aria-expanded", open ? "true" : "false");
        banner.classList.toggle("is-expanded", open);
        reserveSpace();
    }

    function choose(answer) {
        var hadFocus = banner.contains(document.activeElement);
        var choice = consent.save(answer);
        record(choice);
        known = choice;
        hideBanner();
        apply(choice.granted);
        if (status) {
            status.textContent = status.getAttribute("data-saved") || "";
        }
        if (hadFocus) {
            var main = document.getElementById("main-content");
            if (main) {
                main.focus({preventScroll: true});
            }
        }
        document.dispatchEvent(new CustomEvent("ukiyo:consent", {detail: choice}));
    }

    function all(value) {
        var answer = {};
        consent.categories.forEach(function (category) {
            answer[category] = value;
        });
        return answer;
    }

    // -- a choice made elsewhere ----------------------------------------------
    // A page restored from the back/forward cache, or a tab coming back into view, may hold
    // an older choice than the cookie's (the reader chose on another page or tab).

    // What to do about ``state`` (consent.read()) on this page: "reload" when something this
    // page started or knew is no longer allowed (scripts cannot be stopped), "update" when
    // there is a newer valid choice that only adds to it, "none" when nothing changed.
    function decide(state) {
        var now = state && state.choice;
        if (!now) {
            return known ? "reload" : "none";
        }
        var withdrawn = consent.categories.some(function (category) {
            return started[category] && !now.granted[category];
        });
        if (withdrawn) {
            return "reload";
        }
        var same = known && known.time === now.time && known.version === now.version &&
            consent.categories.every(function (category) {
                return Boolean(known.granted[category]) === Boolean(now.granted[category]);
            });
        return same ? "none" : "update";
    }

    function recheck() {
        var state = consent.read();
        var action = decide(state);
        if (action === "reload") {
            location.reload();
        } else if (action === "update") {
            known = state.choice;
            consent.tell(known.granted);
            if (banner && !banner.hidden) {
                hideBanner();
            }
            apply(known.granted);
        }
    }

    consent.decide = decide;

    var state = consent.read();
    var known = state.choice;
    apply(state.choice ? state.choice.granted : {});

    window.addEventListener("pageshow", function (event) {
        if (event.persisted) {
            recheck();
        }
    });
    document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") {
            recheck();
        }
    });

    // The Cookie Settings page is the full form: no banner on top of it.
    if (banner && !state.choice && !document.querySelector("[data-consent-form]")) {
        banner.addEventListener("click", function (event) {
            var button = event.target.closest("[data-consent-choice]");
            if (button) {
                choose(all(button.getAttribute("data-consent-choice") === "accept"));
            }
            var more = event.target.closest("[data-consent-more]");
            if (more) {
                toggleDetails(more);
            }
        });
        showBanner();
    }
})();
