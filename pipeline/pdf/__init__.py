"""The official PDF: rendering with WeasyPrint, the typesetting rules, fonts and their embedding,
and the library hooks scoped to a render.
"""
