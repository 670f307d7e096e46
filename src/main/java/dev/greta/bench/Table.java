package dev.greta.bench;

import java.util.List;

/** A report table, rendered alike to Markdown and HTML. */
record Table(String title, String note, List<String> header, List<List<String>> rows) {}
