"""Self-contained HTML pages: the reports beside their PDFs, and the model, live.

`write_report_html` writes what `logitlab.pdf.write_pdf` writes, as one HTML
file; `model_spec` + `live_section` put a model in a page where the reader draws a
digit and watches the model decide; `write_model_page` is `logitlab page`'s output.
"""

from logitlab.html.document import write_report_html
from logitlab.html.live import live_section, model_spec, write_model_page

__all__ = ["live_section", "model_spec", "write_model_page", "write_report_html"]
