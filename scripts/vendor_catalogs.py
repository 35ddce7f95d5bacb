"""Write the vendor catalogs: what Wagtail and wagtail-localize leave untranslated.

An editor who switches the admin to Thai should not meet English on the page editor, the
status panel or the translation editor. Wagtail's and wagtail-localize's own catalogs cover
some of ukiyo's nine languages well and others hardly at all (wagtail-localize's Japanese has a
handful of strings, Wagtail has no Hindi). This script finds, for every language ukiyo serves
and every package of the admin, the messages that the installed apps' catalogs (Django's,
Wagtail's, wagtail-localize's: what any Wagtail site loads, ukiyo's own catalogs left out) leave
untranslated, and writes them into ``locale-vendor/<package>/<lang>/LC_MESSAGES/`` (one
catalog per upstream project, complete for that project, so each can be offered upstream as
it is). A new entry starts from ukiyo's own translation of the same msgid, if it has one.

An entry may also correct a wrong upstream translation: give it the translator comment
``# corrects upstream: <what was wrong>`` and it stays, ahead of upstream's.

Run it again after upgrading Wagtail or wagtail-localize (``make vendor-catalogs``): it keeps
every translation already written, adds the messages that appeared, and drops those that are
gone or that upstream now translates. ``--check`` lists what is missing and exits 1 if
anything is, without writing.

Usage: python scripts/vendor_catalogs.py [--check] [--lang ja ...]
"""

import argparse
import os
import sys
from datetime import date
from functools import cache
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cms.settings.dev")

import django  # noqa: E402

django.setup()

import polib  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils.translation import get_language_info, trans_real  # noqa: E402

LANGUAGES = ["ja", "zh_Hans", "es", "fr", "ko", "de", "th", "hi"]

# What an editor or a translator sees: the apps of the admin they work in, by upstream project.
# (Redirects, embeds, sites, search promotions and the API have no screens an editor uses.)
PACKAGES = {
    "wagtail": [
        "wagtail",
        "wagtail.admin",
        "wagtail.snippets",
        "wagtail.images",
        "wagtail.documents",
        "wagtail.users",
        "wagtail.contrib.settings",
    ],
    "wagtail-localize": ["wagtail_localize", "wagtail_localize.locales"],
}
# The JavaScript catalog each package's admin pages load (Wagtail's and wagtail-localize's
# ``jsi18n`` views): only these apps' djangojs catalogs, plus LOCALE_PATHS.
JS_PACKAGES = {"wagtail": ["wagtail.admin"], "wagtail-localize": ["wagtail_localize"]}

VENDOR = ROOT / "locale-vendor"
# The translator comment that marks an entry correcting upstream's translation.
CORRECTION = "corrects upstream"
HEADER = """{language} for the {project} messages an editor or translator of ukiyo sees that
{project}'s own catalog leaves untranslated, and corrections of its wrong translations (marked
"corrects upstream"). Written by scripts/vendor_catalogs.py; offered upstream as is."""


def locale_dir(app):
    return Path(import_module(app).__file__).parent / "locale"


def source_entries(apps, domain):
    """The English catalogs of ``apps`` (msgctxt, msgid) → entry, first occurrence wins."""
    entries = {}
    for app in apps:
        path = locale_dir(app) / "en" / "LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete or not entry.msgid:
                continue
            entries.setdefault((entry.msgctxt, entry.msgid), entry)
    return entries


def loaded_catalog(language, domain, apps, locale_paths=()):
    """What Django translates ``language`` with, from the installed apps' catalogs (Django's,
    Wagtail's...) and ``locale_paths``: without ukiyo's own, what any Wagtail site gets."""
    trans_real._translations = {}
    with override_settings(LOCALE_PATHS=list(locale_paths)):
        if domain == "django":
            translation = trans_real.DjangoTranslation(language)
        else:
            dirs = [str(locale_dir(app)) for app in apps]
            translation = trans_real.DjangoTranslation(language, domain=domain, localedirs=dirs)
    trans_real._translations = {}
    return translation._catalog


def is_translated(catalog, entry):
    key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
    if entry.msgid_plural:
        return bool(catalog.get((key, 0)))
    return bool(catalog.get(key))


def corrections(path):
    """Entries that replace a wrong upstream translation: kept although upstream has one.

    Such an entry carries the translator comment ``# corrects upstream: <what was wrong>``.
    """
    if not path.exists():
        return set()
    return {
        (entry.msgctxt, entry.msgid)
        for entry in polib.pofile(str(path))
        if entry.tcomment.startswith(CORRECTION)
    }


def vendor_path(project, language, domain):
    return VENDOR / project / language / "LC_MESSAGES" / f"{domain}.po"


def plural_forms(language):
    if language in ("ja", "zh_Hans", "ko", "th"):
        return "nplurals=1; plural=0;"
    if language == "fr":
        return "nplurals=2; plural=(n > 1);"
    return "nplurals=2; plural=(n != 1);"


def known_translation(language, msgid):
    """How ukiyo's admin already translates ``msgid`` (its own catalogs, the vendor ones and
    the apps'), to start a new vendor entry from; "" if nowhere."""
    return admin_catalog(language).get(msgid, "")


@cache
def admin_catalog(language):
    return dict(loaded_catalog(language, "django", (), settings.LOCALE_PATHS).items())


def write_catalog(project, language, domain, missing):
    path = vendor_path(project, language, domain)
    known, metadata = {}, {}
    if path.exists():
        existing = polib.pofile(str(path))
        known = {(entry.msgctxt, entry.msgid): entry for entry in existing}
        metadata = existing.metadata
    catalog = polib.POFile(wrapwidth=99)
    name = get_language_info(language.replace("_", "-").lower())["name"]
    catalog.header = HEADER.format(language=name, project=project)
    catalog.metadata = {
        "Project-Id-Version": f"ukiyo ({project} strings)",
        "PO-Revision-Date": metadata.get("PO-Revision-Date", f"{date.today():%Y-%m-%d} 00:00+0000"),
        "Last-Translator": "ukiyo translation team",
        "Language-Team": name,
        "Language": language,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": plural_forms(language),
    }
    nplurals = 1 if "nplurals=1" in plural_forms(language) else 2
    done = 0
    for key, source in missing.items():
        entry = polib.POEntry(
            msgctxt=source.msgctxt,
            msgid=source.msgid,
            msgid_plural=source.msgid_plural,
            occurrences=source.occurrences[:3],
            flags=[flag for flag in source.flags if flag.endswith("-format")],
        )
        old = known.get(key)
        if old is not None and old.tcomment.startswith(CORRECTION):
            entry.tcomment = old.tcomment
        if source.msgid_plural:
            forms = old.msgstr_plural if old is not None and old.msgstr_plural else {}
            entry.msgstr_plural = {i: forms.get(i, "") for i in range(nplurals)}
            done += bool(entry.msgstr_plural[0])
        else:
            entry.msgstr = old.msgstr if old is not None else ""
            if not entry.msgstr and source.msgctxt is None:
                entry.msgstr = known_translation(language, source.msgid)
            done += bool(entry.msgstr)
        catalog.append(entry)
    if missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog.save(str(path))
    elif path.exists():
        path.unlink()
    return done


def compile_stale_catalogs():
    """Compile every catalog on LOCALE_PATHS whose .mo is missing or older than its .po.

    What Django loads is read from the .mo files: a stale one would make this script take
    strings ukiyo translates itself for gaps.
    """
    for locale_path in settings.LOCALE_PATHS:
        for po in Path(locale_path).glob("*/LC_MESSAGES/*.po"):
            mo = po.with_suffix(".mo")
            if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
                polib.pofile(str(po)).save_as_mofile(str(mo))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="list what is missing; write nothing")
    parser.add_argument("--lang", nargs="*", default=LANGUAGES)
    args = parser.parse_args()
    compile_stale_catalogs()
    untranslated = 0
    for language in args.lang:
        for project, apps in PACKAGES.items():
            for domain, domain_apps in (("django", apps), ("djangojs", JS_PACKAGES[project])):
                sources = source_entries(domain_apps, domain)
                catalog = loaded_catalog(language, domain, domain_apps)
                corrected = corrections(vendor_path(project, language, domain))
                missing = {
                    key: entry
                    for key, entry in sources.items()
                    if key in corrected or not is_translated(catalog, entry)
                }
                if args.check:
                    path = vendor_path(project, language, domain)
                    have = {}
                    if path.exists():
                        have = {
                            (e.msgctxt, e.msgid): e
                            for e in polib.pofile(str(path))
                            if e.translated()
                        }
                    left = [key for key in missing if key not in have]
                    untranslated += len(left)
                    print(f"{language:8} {project:17} {domain:9} {len(left):5} untranslated")
                    continue
                done = write_catalog(project, language, domain, missing)
                print(f"{language:8} {project:17} {domain:9} {done:5}/{len(missing)} translated")
    return 1 if args.check and untranslated else 0


if __name__ == "__main__":
    sys.exit(main())
