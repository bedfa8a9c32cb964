"""The WSGI application the web server runs (`cqs.core.web_server`), one per worker process."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cqs.settings")
_django = get_wsgi_application()

from django.http.response import HttpResponseBase  # noqa: E402 - once Django is set up


def application(environ, start_response):
    """Django's application, answering a response held in memory as a one-item list.

    Handed Django's response object (an iterable), granian's WSGI bridge takes each chunk and the
    end of the iteration from its I/O thread, acquiring the interpreter lock for each: under load
    that thread queues for the lock behind the request threads (py-spy, sampling whoever held
    the lock: 14 % of samples inside that hand-over). Handed a list, it copies the bytes at once, in
    the request's own thread. Responses that stream (files, large exports) are handed on as
    they are. The response is closed first, as the server would after sending it: that ends the
    request for Django (its `request_finished` signal, which tidies database connections)."""
    response = _django(environ, start_response)
    if isinstance(response, HttpResponseBase) and not response.streaming:
        try:
            return [response.content]
        finally:
            response.close()
    return response


# The cyclic garbage collector, left as it is, spent about 0.4 ms of every online submission's 8 ms
# of CPU (bench.profile_submission with gc callbacks): each full collection walks the whole loaded
# application, and the default first-generation threshold (700 allocations) runs a collection
# every few database rows. What is loaded by now lives as long as the process, so it is moved out
# of the collector's sight, and a request's own garbage is collected every 10,000 allocations
# instead: a third of the time, for a few megabytes more between collections.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 10, 10)
