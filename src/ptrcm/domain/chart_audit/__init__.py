"""Chart audit: the criteria catalog (``criteria``), episodes of care (``episodes``), the
check of each criterion (``checks``) and the scoring of records (``engine``). Pure code: the
service that samples episodes and stores results is ``services/chart_audit``."""
