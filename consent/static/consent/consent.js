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
            essential: Array.isArray(data.essential) ? data.essential : []
        };
    }

    // -- scripts -----------------------------------------------------------

    function run(html) {
        var holder = document.createElement("template");
        holder.innerHTML = html; // inert: nothing in a template runs or loads
        var fragment = document.importNode(holder.content, true);
        var inert = fragment.querySelectorAll("script");
        for (var i = 0; i < inert.length; i++) {
            var live = document.createElement("script");
            for (var a = 0; a < inert[i].attributes.length; a++) {
                live.setAttribute(inert[i].attributes[a].name, inert[i].attributes[a].value);
            }
            // Inserted scripts run as soon as they load; keep the snippet's order instead.
            if (!inert[i].hasAttribute("async")) {
                live.async = false;
            }
            live.text = inert[i].textContent;
            inert[i].parentNode.replaceChild(live, inert[i]);
        }
        document.body.appendChild(fragment);
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

    // A script may have set its cookie on this host or on a parent domain: try each.
    function expire(name) {
        var host = location.hostname;
        var domains = [""];
        if (!/^[0-9.]+$/.test(host) && host.indexOf(":") < 0) {
            var parts = host.split(".");
            for (var i = 0; i < parts.length - 1; i++) {
                domains.push("; domain=." + parts.slice(i).join("."));
            }
        }
        domains.forEach(function (domain) {
            consent.writeCookie(name + "=; max-age=0; path=/" + domain);
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
        removeRefused(granted);
    }

    // -- banner --------------------------------------------------------------

    function reserveSpace() {
        // Room below the footer, so that the fixed banner never hides the end of the page.
        var height = banner && !banner.hidden ? banner.offsetHeight : 0;
        document.body.style.setProperty("--consent-banner-height", height + "px");
    }

    function showBanner() {
        // Early in the page, so that keyboard and screen reader users meet it first: right
        // after the skip link, which stays the first stop.
        var skipLink = document.querySelector("body > .skip-link");
        document.body.insertBefore(banner, skipLink ? skipLink.nextSibling : document.body.firstChild);
        banner.hidden = false;
        document.body.classList.add("has-consent-banner");
        reserveSpace();
        window.addEventListener("resize", reserveSpace);
    }

    function hideBanner() {
        banner.hidden = true;
        document.body.classList.remove("has-consent-banner");
        window.removeEventListener("resize", reserveSpace);
        reserveSpace();
    }

    function choose(answer) {
        var hadFocus = banner.contains(document.activeElement);
        var choice = consent.save(answer);
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

    var state = consent.read();
    apply(state.choice ? state.choice.granted : {});

    // The Cookie Settings page is the full form: no banner on top of it.
    if (banner && !state.choice && !document.querySelector("[data-consent-form]")) {
        banner.addEventListener("click", function (event) {
            var button = event.target.closest("[data-consent-choice]");
            if (button) {
                choose(all(button.getAttribute("data-consent-choice") === "accept"));
            }
        });
        showBanner();
    }
})();
