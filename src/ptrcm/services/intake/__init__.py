"""Data in from an EMR or a spreadsheet: visit files, master data (patients, payers,
therapists, locations) and appointments, validated at the edge with line and field errors."""
