// JSON-LD building blocks shared by the record sets of the Croissant document.

/** A JSON-LD node under construction. */
export type Json = { [key: string]: unknown }

/** A `cr:Field` whose name is the last segment of its `@id`. */
export const field = (
  id: string,
  dataType: string,
  description: string,
  extra: Json = {}
): Json => ({
  "@type": "cr:Field",
  "@id": id,
  name: id.slice(id.lastIndexOf("/") + 1),
  description,
  dataType,
  ...extra
})
