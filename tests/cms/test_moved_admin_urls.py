"""Admin addresses of models that moved out of the project package still lead to them."""


def test_the_old_footer_links_settings_address_redirects_to_the_new_one(editor, home):
    old = editor.get("/admin/settings/cms/footerlinks/")

    assert old.status_code == 301
    assert old["Location"] == "/admin/settings/core/footerlinks/"
    page = editor.get(old["Location"], follow=True)
    assert page.status_code == 200
    assert page.redirect_chain[-1][0].startswith("/admin/settings/core/footerlinks/")
    assert 'name="contact_page"' in page.content.decode()


def test_a_site_in_the_old_address_is_kept(editor, home):
    site_id = home.get_site().pk

    old = editor.get(f"/admin/settings/cms/footerlinks/{site_id}/")

    assert old["Location"] == f"/admin/settings/core/footerlinks/{site_id}/"
