/* ukiyo's additions to Wagtail's page editor (core.wagtail_hooks). No build step. */
(() => {
  "use strict";

  // A new page is not autosaved: Wagtail would create it in the page tree at the first
  // keystroke, and an abandoned form would leave a title-only draft whose slug blocks the next
  // attempt. The page is created when the editor saves it. Editing keeps autosave.
  const disableAutosaveOnCreate = () => {
    const form = document.querySelector(
      'form[data-edit-form][data-controller~="w-autosave"]',
    );
    if (form && /\/pages\/add\//.test(new URL(form.action, window.location.href).pathname)) {
      form.setAttribute("data-w-autosave-active-value", "false");
    }
  };

  // Languages written without spaces between words (or where lengths are counted in
  // characters): the Checks panel adds a character count to Wagtail's word count.
  const CHARACTER_LANGUAGES = ["ja", "zh", "ko", "th"];

  const countCharacters = (lang, text) => {
    const segmenter = new Intl.Segmenter(lang || undefined, { granularity: "grapheme" });
    let count = 0;
    for (const { segment } of segmenter.segment(text)) {
      if (segment.trim()) count += 1;
    }
    return count;
  };

  // Wagtail's preview controller reads the page's text for its content metrics and announces
  // it with the "w-preview:content" event; the count goes next to its word count.
  const showCharacterCount = (event) => {
    const metric = document.querySelector("[data-ukiyo-character-metric]");
    const output = document.querySelector("[data-ukiyo-character-count]");
    const content = event.detail && event.detail.content;
    if (!metric || !output || !content) return;
    const lang = (content.lang || "").toLowerCase();
    const shown = CHARACTER_LANGUAGES.includes(lang.split("-")[0]);
    metric.hidden = !shown;
    if (shown) {
      output.textContent = countCharacters(lang, content.innerText || "").toLocaleString(
        document.documentElement.lang || undefined,
      );
    }
  };

  document.addEventListener("w-preview:content", showCharacterCount);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", disableAutosaveOnCreate);
  } else {
    disableAutosaveOnCreate();
  }
})();
