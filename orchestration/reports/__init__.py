"""Client reports: the quarterly business review (QBR) and the monthly service review of one client,
as a self-contained HTML page and a PDF, in the client's language (French or English)."""
