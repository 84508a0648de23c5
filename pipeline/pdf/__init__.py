"""The official PDF: rendering with WeasyPrint, fonts and their embedding, and the Chinese
typesetting that CSS cannot express in WeasyPrint (``lines``, ``grid``, ``prepare``), applied while
rendering the PDF.

The XHTML stays as published; these adjustments exist only in the official PDF:

* Justification. WeasyPrint justifies by widening spaces only, and Chinese text has none, so
  full lines end ragged up to two characters short of the 版心 (a line-start ban pushes a 。
  down, a number cannot break). GB/T 9704 §5.2.3 wants lines that 撑满版心. We replace
  WeasyPrint's ``justify_line`` for lines holding Chinese with one that spreads the slack
  evenly as letter-spacing over every character, as Word and WPS do. Lines without Chinese
  keep WeasyPrint's own behaviour. The text layer is untouched (no inserted spaces).
* Line adjustment. A line that breaks early because what follows may not be split takes that
  unit in when a closing mark can hang past the edge or when enough punctuation marks in it
  can be set half-width (标点挤压, the font's ``halt`` feature), so it keeps 28 positions;
  see ``split_first_line``. Web and e-mail addresses break after ``.``, ``/`` or ``@``.
* The line grid. Body lines sit on a 22-row grid; table rows take whole grid rows, and a page
  that ends with a table gives the grid rows left below it to the table's tallest rows.
* The title (§7.3.1) is broken into balanced lines at natural boundaries (after the issuing
  organ, before the year, at the space between joint organs), never leaving an orphan such
  as ``度报告`` on the last line.
* 署名 and 成文日期 without a seal (§7.3.5.2) are placed after layout, from the measured
  widths: the 署名 ends two characters from the right edge and the date starts two
  characters right of the 署名's start; when the date is the wider line, the date ends two
  characters from the right instead and the 署名 starts two characters left of it.

The hooks rely on WeasyPrint internals, bound only inside a render: ``weasyprint_hooks`` lists
them and why; tests/test_hooks.py fails naming a hook that no longer fires, and the conformance
check measures the result on every document.
"""
