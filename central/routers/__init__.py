"""The platform's HTTP API, one router per resource: ``enrollment``, ``submissions`` (single PUTs
and batches), ``blobs``, ``documents`` (and the platform's keys), ``fleet`` (heartbeats and the
fleet view) and ``operators`` (what operators read: submission metadata, ratings, the page).

Terminal endpoints take a signed request (``central.dependencies.Terminal``); ``central.app``
includes the routers in this order.
"""
