"""The semantic XHTML: the 公文 element model, the Markdown fragment, the 目录 and the builder."""
