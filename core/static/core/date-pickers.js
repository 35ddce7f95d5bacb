// Keeps the admin's date pickers off the buttons the editor needs next.
//
// Wagtail's date and date-time fields open a calendar (jQuery's xdsoft datetimepicker) below
// the field, drawn above everything else. Under the go-live field of the "Set publishing
// schedule" dialog it covers the dialog's Save button; under a reference's date near the
// bottom of the window it covers the sticky save bar (Publish, Save draft). The calendar
// cannot be clicked through, so the editor had to close it first, and knew no way to.
//
// When a calendar opens, or the window is resized or scrolled, and it would cover such a
// button, it is moved above its field, or beside it when there is no room above. When the
// editor turns to the save bar (a press anywhere on it), open calendars close: the bar's menu
// (Publish, Schedule...) opens above the bar, where a calendar moved off the bar may be; and
// a calendar whose field has lost the focus by the time it opens (xdsoft opens it 100 ms after
// the focus) closes at once.
// Nothing else changes: the calendar, its keys and its values are Wagtail's.
(function () {
    "use strict";

    const GAP = 4;

    function overlaps(a, b) {
        return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
    }

    // The buttons that must stay clickable while this field's calendar is open.
    function guarded(input) {
        const areas = [];
        const dialog = input.closest("[role='dialog'], dialog, .w-dialog");
        if (dialog) {
            dialog.querySelectorAll("button, .button").forEach((button) => areas.push(button));
        }
        document.querySelectorAll("footer.footer, .footer__container").forEach((bar) => areas.push(bar));
        return areas
            .map((element) => element.getBoundingClientRect())
            .filter((rect) => rect.width > 0 && rect.height > 0);
    }

    function place(picker) {
        const input = window.jQuery(picker).data("input");
        if (!input || !input.length || picker.style.display === "none") {
            return;
        }
        const field = input[0].getBoundingClientRect();
        const rect = picker.getBoundingClientRect();
        const areas = guarded(input[0]);
        if (!areas.some((area) => overlaps(rect, area))) {
            return;
        }
        // Page coordinates for an absolutely placed calendar, window ones for a fixed one.
        const fixed = window.getComputedStyle(picker).position === "fixed";
        const dx = fixed ? 0 : window.scrollX;
        const dy = fixed ? 0 : window.scrollY;
        const above = field.top - rect.height - GAP;
        const candidates = [
            { top: above, left: rect.left },
            { top: field.top, left: field.right + GAP },
            { top: field.top, left: field.left - rect.width - GAP },
        ];
        for (const spot of candidates) {
            const moved = {
                top: spot.top,
                left: spot.left,
                bottom: spot.top + rect.height,
                right: spot.left + rect.width,
            };
            const inside =
                moved.top >= 0 &&
                moved.left >= 0 &&
                moved.right <= window.innerWidth &&
                moved.bottom <= window.innerHeight;
            if (inside && !areas.some((area) => overlaps(moved, area))) {
                picker.style.bottom = "";
                picker.style.top = `${spot.top + dy}px`;
                picker.style.left = `${spot.left + dx}px`;
                return;
            }
        }
    }

    function placeOpenPickers() {
        document
            .querySelectorAll(".xdsoft_datetimepicker")
            .forEach((picker) => place(picker));
    }

    function start() {
        if (!window.jQuery) {
            return;
        }
        // The calendar places itself in its own "open" handler; this one runs after it, as
        // the event bubbles to the document.
        window.jQuery(document).on("open.xdsoft", ".xdsoft_datetimepicker", function () {
            // The calendar opens 100 ms after its field takes the focus, even when the editor
            // has moved on within them (to the save bar's menu, which it would then cover).
            const input = window.jQuery(this).data("input");
            if (input && input.length && document.activeElement !== input[0]) {
                window.jQuery(this).trigger("close.xdsoft");
                return;
            }
            place(this);
        });
        // On resize the calendar places itself again: place it after that. Scrolling moves a
        // calendar under the sticky save bar: place it again too (once per frame).
        let queued = false;
        const later = () => {
            if (!queued) {
                queued = true;
                window.requestAnimationFrame(() => {
                    queued = false;
                    placeOpenPickers();
                });
            }
        };
        window.addEventListener("resize", later);
        document.addEventListener("scroll", later, { capture: true, passive: true });
        // Before the save bar's own handlers (capture): its menu opens on a calendar-free page.
        document.addEventListener(
            "pointerdown",
            (event) => {
                if (event.target.closest && event.target.closest("footer.footer, .footer__container")) {
                    window.jQuery(".xdsoft_datetimepicker:visible").trigger("close.xdsoft");
                }
            },
            { capture: true },
        );
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", start);
    } else {
        start();
    }
})();
