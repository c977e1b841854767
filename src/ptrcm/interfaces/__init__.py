"""Edge adapters for EMR/PM systems: HL7 v2, FHIR R4 and CSV readers that map what a
clinic's system sends into visit interchange records (the JSONL format), writers that
export visits in those formats, and the MLLP listener. The import itself is the intake
service's (``services.intake.visits.import_records``): these modules never write."""
