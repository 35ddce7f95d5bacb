# Varnish in front of ukiyo (written for Varnish 7.1, Debian 12's).
#
#   varnishd -a :6081 -f /etc/varnish/ukiyo.vcl -s malloc,1g   (behind the TLS terminator)
#
# What it stores: only answers that say they may be shared (Cache-Control "public" or
# "s-maxage"), for as long as they say (s-maxage, else max-age), served a little longer while
# a fresh copy is fetched (stale-while-revalidate). Everything else goes to ukiyo every time.
# What it never stores: an answer that sets a cookie, or says private, no-store or no-cache.
# What never comes from it: anything for a visitor Django knows (session cookie), with a
# message waiting (messages cookie) or with an Authorization header; every method but GET and
# HEAD; the admin, accounts, cookie settings, documents; and every path outside a language
# prefix (/, /robots.txt...), whose answer depends on the reader's language cookie and
# Accept-Language.
# Purging: ukiyo sends "PURGE <path>" with the page's host (FRONTEND_CACHE_PURGE_URL); every
# stored answer for that host and path goes, whatever its query string (?page=2, ?fields=)
# and with or without a trailing slash.
# docs/configuration.md, "CDN and Varnish", says more.

vcl 4.1;

import std;

# ukiyo's server (gunicorn, or any WSGI server). Change the address to yours.
backend ukiyo {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 5s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

# Who may purge: the machines ukiyo runs on. Add your web servers' addresses.
acl purgers {
    "localhost";
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    set req.backend_hint = ukiyo;
    if (req.http.host) {
        set req.http.host = std.tolower(req.http.host);
    }

    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # A ban, not a purge of one object: it reaches every query string of the path, and
        # the ban lurker frees the memory in the background. With or without its trailing
        # slash, a path is one page (Wagtail's redirects app purges a moved page's old URL
        # without it).
        if (!std.ban("obj.http.x-ukiyo-host == " + req.http.host
                + " && obj.http.x-ukiyo-path == "
                + regsub(regsub(req.url, "\?.*$", ""), "(.)/$", "\1"))) {
            return (synth(400, std.ban_error()));
        }
        return (synth(200, "Purged"));
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.http.Authorization) {
        return (pass);
    }
    # Django's session cookie (SESSION_COOKIE_NAME) and its messages cookie
    # (MESSAGE_COOKIE_NAME): a signed-in reader, or a message to show once. Their pages pass
    # with every cookie. Rename them here if you rename them in the settings.
    if (req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Outside a language prefix, only the API and files are the same for everyone.
    if (req.url !~ "^/(api|static|media)/" && req.url !~ "^/[a-z]{2}(-[a-z]+)?/") {
        return (pass);
    }
    # A reader's own pages, which read their cookies (account, cookie settings).
    if (req.url ~ "^/[a-z]{2}(-[a-z]+)?/(accounts|cookie-settings)/") {
        return (pass);
    }

    # The rest is the same for every visitor, and ukiyo reads none of their cookies there
    # (consent, CSRF, language, analytics): they would only split the cache.
    unset req.http.Cookie;
    # A shared link's tracking parameters do not change the page.
    if (req.url ~ "[?&](utm_[a-z]+|fbclid|gclid|msclkid)=") {
        set req.url = regsuball(req.url, "([?&])(utm_[a-z]+|fbclid|gclid|msclkid)=[^&]*", "\1");
        set req.url = regsuball(req.url, "&{2,}", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]$", "");
    }
    return (hash);
}

sub vcl_hash {
    # Answers over http:// and https:// differ (redirects, absolute links): never mix them.
    hash_data(req.http.X-Forwarded-Proto);
    # Varnish's own hash (URL and host) follows.
}

sub vcl_backend_response {
    # What a PURGE matches on (the path without query string and trailing slash); removed
    # before delivery.
    set beresp.http.x-ukiyo-host = bereq.http.host;
    set beresp.http.x-ukiyo-path = regsub(regsub(bereq.url, "\?.*$", ""), "(.)/$", "\1");

    if (bereq.uncacheable) {
        return (deliver);
    }
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(private|no-store|no-cache)"
        || beresp.http.Cache-Control !~ "(?i)(public|s-maxage)"
        || beresp.http.Vary == "*"
        || beresp.ttl <= 0s) {
        # Not stored. For a minute, requests for it go straight to ukiyo, each on its own
        # (none waits for another's answer), and the first answer that may be shared is
        # stored.
        set beresp.uncacheable = true;
        set beresp.ttl = 60s;
        set beresp.grace = 0s;
        return (deliver);
    }
    # Stored: for s-maxage (or max-age), then served stale for stale-while-revalidate while
    # one request fetches a fresh copy (Varnish reads both from Cache-Control).
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-ukiyo-host;
    unset resp.http.x-ukiyo-path;
    # For debugging: HIT (served from the cache), HIT-STALE (served stale while a fresh copy
    # is fetched), MISS (fetched, and stored), PASS (fetched, not stored).
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } else if (obj.hits > 0) {
        if (obj.ttl < 0s) {
            set resp.http.X-Cache = "HIT-STALE";
        } else {
            set resp.http.X-Cache = "HIT";
        }
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # The request's id (X-Request-ID, passed on to ukiyo, which echoes it and logs it): a
    # stored answer still carries the id of the request that fetched it. A hit never reached
    # ukiyo: it gets the client's own id back, or none.
    if (obj.hits > 0) {
        if (req.http.X-Request-ID) {
            set resp.http.X-Request-ID = req.http.X-Request-ID;
        } else {
            unset resp.http.X-Request-ID;
        }
    }
}
