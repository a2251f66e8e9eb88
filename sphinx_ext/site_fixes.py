"""Small Sphinx fixes for the book's site (loaded from _config.yml).

sphinx-thebe adds its inline configuration script twice under Sphinx 7 (once
to the registry and once to the already-initialised builder); the second copy
re-declares a ``const`` and the browser reports a SyntaxError on every page.
Keep only the first copy of each script.
"""


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (script.filename or "", script.attributes.get("body"))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def setup(app):
    # Early: html-page-context stops at the first listener that returns a template.
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
