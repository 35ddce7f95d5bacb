# Varnish in front of two ukiyo app servers (the one scripts/cluster starts): the rules of
# ukiyo.vcl, unchanged, with the requests that reach ukiyo shared between the app servers in
# turn (a round-robin director). Each app server is asked GET /readyz every second; one that
# fails two of its last three answers (database, cache or storage unreachable, or the process
# gone) gets no more requests until it answers again. When no app server is ready (PostgreSQL
# restarting: every server says so at once), requests go to the servers that are alive
# (GET /healthz): ukiyo itself answers then, with the pages its page cache holds and a 503
# with Retry-After for the rest, rather than Varnish's own error page.
#
#   varnishd -a :6081 -p vcl_path=/etc/varnish -f /etc/varnish/cluster.vcl -s malloc,1g
#
# scripts/cluster writes this file with its app servers' ports in place of 8001 and 8002.

vcl 4.1;

import directors;
import std;

probe ready {
    .request = "GET /readyz HTTP/1.1"
        "Host: 127.0.0.1"
        "Connection: close";
    .interval = 1s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

probe alive {
    .request = "GET /healthz HTTP/1.1"
        "Host: 127.0.0.1"
        "Connection: close";
    .interval = 1s;
    .timeout = 2s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}

backend app_a {
    .host = "127.0.0.1";
    .port = "8001";
    .probe = ready;
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

backend app_b {
    .host = "127.0.0.1";
    .port = "8002";
    .probe = ready;
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

# The same two servers, checked for being alive only.
backend app_a_alive {
    .host = "127.0.0.1";
    .port = "8001";
    .probe = alive;
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

backend app_b_alive {
    .host = "127.0.0.1";
    .port = "8002";
    .probe = alive;
    .connect_timeout = 2s;
    .first_byte_timeout = 60s;
    .between_bytes_timeout = 30s;
}

include "ukiyo.vcl";

sub vcl_init {
    new ready_servers = directors.round_robin();
    ready_servers.add_backend(app_a);
    ready_servers.add_backend(app_b);
    new alive_servers = directors.round_robin();
    alive_servers.add_backend(app_a_alive);
    alive_servers.add_backend(app_b_alive);
    new app_servers = directors.fallback();
    app_servers.add_backend(ready_servers.backend());
    app_servers.add_backend(alive_servers.backend());
}

# ukiyo.vcl names its single backend in vcl_recv; the fetch goes to the director instead,
# and a second try to the server the first did not reach.
sub vcl_backend_fetch {
    if (bereq.retries == 0) {
        set bereq.backend = app_servers.backend();
    } else if (bereq.http.x-ukiyo-failed ~ "^app_a") {
        set bereq.backend = app_b;
        if (!std.healthy(app_b)) {
            set bereq.backend = app_b_alive;
        }
    } else {
        set bereq.backend = app_a;
        if (!std.healthy(app_a)) {
            set bereq.backend = app_a_alive;
        }
    }
    unset bereq.http.x-ukiyo-failed;
}

# A read whose app server went away before answering (killed, restarted) is sent once more,
# to the other one: readers see no error for a server the probes have not yet noticed (up to
# two seconds). Only GET and HEAD: a write may have been applied before the connection broke,
# and the editor's client decides whether to send it again.
sub vcl_backend_error {
    if (bereq.retries == 0 && (bereq.method == "GET" || bereq.method == "HEAD")) {
        set bereq.http.x-ukiyo-failed = beresp.backend;
        return (retry);
    }
}
