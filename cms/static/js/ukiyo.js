/*
 * ukiyo: progressive enhancement only; every page works without this file.
 * The language menu is a native <details>: close it on Escape (returning focus to its
 * toggle when focus was inside it), on a click outside it, and when the keyboard moves focus
 * out of it (open, it covers the links that come next on a phone). Choosing a language in it
 * is remembered in the language cookie, which sends the reader there from "/" next time.
 */
(function () {
    "use strict";

    var menus = document.querySelectorAll("details[data-language-menu]");
    if (!menus.length) {
        return;
    }

    document.addEventListener("keydown", function (event) {
        if (event.key !== "Escape") {
            return;
        }
        menus.forEach(function (menu) {
            if (!menu.open) {
                return;
            }
            var hadFocus = menu.contains(document.activeElement);
            menu.open = false;
            if (hadFocus) {
                menu.querySelector("summary").focus();
            }
        });
    });

    menus.forEach(function (menu) {
        // relatedTarget is where focus goes: null when it leaves the page (another window),
        // where the menu stays as it was.
        menu.addEventListener("focusout", function (event) {
            if (menu.open && event.relatedTarget && !menu.contains(event.relatedTarget)) {
                menu.open = false;
            }
        });

        var cookieName = menu.getAttribute("data-language-cookie");
        menu.addEventListener("click", function (event) {
            var link = event.target.closest("a[hreflang]");
            if (!link || !cookieName) {
                return;
            }
            document.cookie = cookieName + "=" + encodeURIComponent(link.hreflang) +
                "; path=/; max-age=31536000; samesite=lax" +
                (location.protocol === "https:" ? "; secure" : "");
        });
    });

    document.addEventListener("click", function (event) {
        menus.forEach(function (menu) {
            if (menu.open && !menu.contains(event.target)) {
                menu.open = false;
            }
        });
    });
})();
