"""The monthly 通报: a jurisdiction's ranking notice of one month, as XLSX and DOCX, on demand and scheduled."""
