// HTML escaping for report.html. Everything from a report (messages carry
// user SQL, names come from file names) goes through esc(), in text and in
// attribute values alike.

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function esc(s: string | number | undefined): string {
  if (s === undefined) return "";
  return (
    String(s)
      .replace(/[&<>"']/g, (c) => ENTITIES[c]!)
      // Control characters other than tab and newline have no business in a page.
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "�")
  );
}

/** A name usable in an id attribute (anchors, aria references). */
export function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-|-$/g, "") || "x"
  );
}
