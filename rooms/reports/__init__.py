"""Fair reports and the live dashboard: facts recorded by the scripts that change the state
(`facts`), connection periods kept by the nodes (`periods`), their fold (`tally`), what a reader
sees (`summary`, `exports`) and who may read it (`reader`). docs/reports.md defines every count."""
