"""`pipeline review`: start the desk on uvicorn, print its URL, optionally open a browser."""

from __future__ import annotations

import threading
import webbrowser

from pipeline.review.settings import Settings


def serve(settings: Settings, open_browser: bool = False) -> None:
    import uvicorn

    from pipeline.review.app import create_app

    settings = settings.with_token()
    app = create_app(settings)  # a bad config fails here, before anything listens
    print(f"review desk: {settings.url}", flush=True)
    if settings.needs_token:
        print(f"listening on {settings.host}: every request needs the token above "
              "(open the URL once; the browser keeps it as a cookie)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(settings.url,)).start()
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                server_header=False, proxy_headers=False)
