import os

from django.core.management.base import BaseCommand, CommandError

from demo.loader import DemoContentError, DemoLoader, create_admin


class Command(BaseCommand):
    help = (
        "Load the demo site: nine language trees, legal pages, categories, authors and "
        "articles written in Japanese with translations made through wagtail-localize. "
        "Safe to run again: what exists is left as it is."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-username",
            default=os.environ.get("DEMO_ADMIN_USERNAME", "admin"),
            help="Superuser to create if missing (default: admin).",
        )
        parser.add_argument(
            "--admin-password",
            default=os.environ.get("DEMO_ADMIN_PASSWORD", "ukiyo-demo"),
            help="Its password (default: ukiyo-demo, or DEMO_ADMIN_PASSWORD).",
        )
        parser.add_argument("--no-admin", action="store_true", help="Do not create a superuser.")
        parser.add_argument(
            "--site-url",
            default=None,
            help="Where readers reach the site, e.g. http://127.0.0.1:8101 (default: "
            "WAGTAILADMIN_BASE_URL): the default site's host name and port, set on every run.",
        )

    def handle(self, *args, admin_username, admin_password, no_admin, site_url, **options):
        try:
            DemoLoader(stdout=self.stdout, site_url=site_url).load()
        except DemoContentError as error:
            raise CommandError(str(error)) from error
        if no_admin:
            return
        created = create_admin(admin_username, admin_password)
        if created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Admin login (/admin/): user {admin_username!r}, password {admin_password!r}"
                )
            )
        else:
            self.stdout.write(
                f"Admin login (/admin/): user {admin_username!r} "
                "(already existed; its password was not changed)"
            )
