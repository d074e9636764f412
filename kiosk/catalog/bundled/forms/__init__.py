"""Package data: the form definitions of the bundled demo catalog, one ``<form id>.json`` each."""
