"""Writes to 社情民意 reports and everything around them (DESIGN §6.2, §6.5). One module per concern;
callers use the modules (`services.reports.register`):

- reports: the author's draft and submission and every step of the editors' pipeline;
- bulletins: compiling signed reports into numbered bulletins and sending them;
- feedback: adoptions, leaders' instructions, transfers to departments and their replies;
- officers: information officers' appointments and quotas;
- inspections: members' suggestions after an inspection or research activity and its report;
- settings: categories and the committee's pipeline settings."""
