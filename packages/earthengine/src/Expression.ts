// Earth Engine's REST expression graph: a tree of calls built here, serialised to the `Expression` JSON
// (`{ result, values }` of ValueNodes, shared subtrees once) and parsed back (with reference checks).
import { Schema } from "effect"

/** A node of an expression tree (before serialisation). */
export type Node =
  | { readonly _tag: "Const"; readonly value: unknown }
  | { readonly _tag: "Call"; readonly name: string; readonly args: Readonly<Record<string, Node>> }
  | { readonly _tag: "Arg"; readonly name: string }
  | {
      readonly _tag: "Fn"
      readonly argumentNames: ReadonlyArray<string>
      readonly body: Node
    }
  | { readonly _tag: "Dict"; readonly values: Readonly<Record<string, Node>> }
  | { readonly _tag: "List"; readonly values: ReadonlyArray<Node> }

/** A constant (JSON value). */
export const constant = (value: unknown): Node => ({ _tag: "Const", value })
/** A call of the Earth Engine algorithm `name` with named arguments. */
export const call = (name: string, args: Readonly<Record<string, Node>> = {}): Node => ({
  _tag: "Call",
  name,
  args
})
/** A reference to an argument of the enclosing function definition. */
export const arg = (name: string): Node => ({ _tag: "Arg", name })
/** A function definition (for `Collection.map`). */
export const fn = (argumentNames: ReadonlyArray<string>, body: Node): Node => ({
  _tag: "Fn",
  argumentNames,
  body
})
/** A dictionary of nodes. */
export const dict = (values: Readonly<Record<string, Node>>): Node => ({ _tag: "Dict", values })

/** A serialised ValueNode (the REST API's JSON). */
export type ValueNode =
  | { readonly constantValue: unknown }
  | {
      readonly functionInvocationValue: {
        readonly functionName: string
        readonly arguments: Readonly<Record<string, ValueNode>>
      }
    }
  | { readonly valueReference: string }
  | { readonly argumentReference: string }
  | {
      readonly functionDefinitionValue: {
        readonly argumentNames: ReadonlyArray<string>
        readonly body: string
      }
    }
  | { readonly dictionaryValue: { readonly values: Readonly<Record<string, ValueNode>> } }
  | { readonly arrayValue: { readonly values: ReadonlyArray<ValueNode> } }

/** A serialised expression: named values and the name of the result. */
export interface Expression {
  readonly result: string
  readonly values: Readonly<Record<string, ValueNode>>
}

/** An expression the parser refuses. */
export class ExpressionError extends Schema.TaggedError<ExpressionError>()("ExpressionError", {
  message: Schema.String
}) {}

/**
 * Serialise a tree. Every call and function definition becomes a named value referenced by
 * `valueReference`, identical subtrees once, names numbered in first-visit (post-order) sequence, so the
 * same tree gives the same JSON bytes.
 */
export const serialise = (root: Node): Expression => {
  const values: Record<string, ValueNode> = {}
  const byKey = new Map<string, string>()
  const intern = (node: ValueNode): string => {
    const key = JSON.stringify(node)
    const known = byKey.get(key)
    if (known !== undefined) return known
    const name = String(byKey.size)
    byKey.set(key, name)
    values[name] = node
    return name
  }
  const visit = (node: Node): ValueNode => {
    switch (node._tag) {
      case "Const":
        return { constantValue: node.value }
      case "Arg":
        return { argumentReference: node.name }
      case "Dict":
        return {
          dictionaryValue: {
            values: Object.fromEntries(Object.entries(node.values).map(([k, v]) => [k, visit(v)]))
          }
        }
      case "List":
        return { arrayValue: { values: node.values.map(visit) } }
      case "Call": {
        const args = Object.fromEntries(
          Object.keys(node.args)
            .sort()
            .map((k) => [k, visit(node.args[k])])
        )
        return {
          valueReference: intern({
            functionInvocationValue: { functionName: node.name, arguments: args }
          })
        }
      }
      case "Fn": {
        const body = visit(node.body)
        const bodyName = "valueReference" in body ? body.valueReference : intern(body)
        return {
          valueReference: intern({
            functionDefinitionValue: { argumentNames: node.argumentNames, body: bodyName }
          })
        }
      }
    }
  }
  const top = visit(root)
  const result = "valueReference" in top ? top.valueReference : intern(top)
  return { result, values }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * Parse a serialised expression back into a tree: every reference must name a value, argument references
 * must lie inside a function naming them, no cycles, at most `maxValues` values.
 */
export const parse = (json: unknown, maxValues = 10_000): Node => {
  const fail = (message: string): never => {
    throw new ExpressionError({ message })
  }
  if (!isObject(json) || typeof json.result !== "string" || !isObject(json.values))
    return fail("an expression needs result (string) and values (object)")
  const values = json.values
  if (Object.keys(values).length > maxValues) fail(`more than ${maxValues} values`)
  const onPath = new Set<string>()
  const done = new Map<string, Node>()
  const named = (name: string, scope: ReadonlySet<string>): Node => {
    if (!Object.hasOwn(values, name)) return fail(`valueReference "${name}" names no value`)
    if (onPath.has(name)) return fail(`value "${name}" refers to itself`)
    const cached = scope.size === 0 ? done.get(name) : undefined
    if (cached !== undefined) return cached
    onPath.add(name)
    const node = value(values[name], scope)
    onPath.delete(name)
    if (scope.size === 0) done.set(name, node)
    return node
  }
  const value = (v: unknown, scope: ReadonlySet<string>): Node => {
    if (!isObject(v)) return fail("a ValueNode must be an object")
    const kinds = Object.keys(v)
    if (kinds.length !== 1)
      return fail(`a ValueNode sets exactly one field (found ${kinds.join(", ")})`)
    const kind = kinds[0]
    const body = v[kind]
    switch (kind) {
      case "constantValue":
        return constant(body)
      case "integerValue":
        return typeof body === "string" && /^-?\d+$/.test(body)
          ? constant(Number(body))
          : fail("integerValue must be a decimal string")
      case "valueReference":
        return typeof body === "string"
          ? named(body, scope)
          : fail("valueReference must be a string")
      case "argumentReference":
        if (typeof body !== "string" || !scope.has(body))
          return fail(`argumentReference "${String(body)}" is outside a function naming it`)
        return arg(body)
      case "arrayValue":
        if (!isObject(body) || !Array.isArray(body.values)) return fail("arrayValue needs values")
        return { _tag: "List", values: body.values.map((x) => value(x, scope)) }
      case "dictionaryValue":
        if (!isObject(body) || !isObject(body.values)) return fail("dictionaryValue needs values")
        return dict(
          Object.fromEntries(Object.entries(body.values).map(([k, x]) => [k, value(x, scope)]))
        )
      case "functionInvocationValue": {
        if (!isObject(body) || typeof body.functionName !== "string")
          return fail("functionInvocationValue needs functionName (string)")
        const args = body.arguments ?? {}
        if (!isObject(args)) return fail("functionInvocationValue.arguments must be an object")
        return call(
          body.functionName,
          Object.fromEntries(Object.entries(args).map(([k, x]) => [k, value(x, scope)]))
        )
      }
      case "functionDefinitionValue": {
        if (
          !isObject(body) ||
          !Array.isArray(body.argumentNames) ||
          !body.argumentNames.every((a) => typeof a === "string") ||
          typeof body.body !== "string"
        )
          return fail(
            "functionDefinitionValue needs argumentNames (strings) and body (a value name)"
          )
        const inner = new Set([...scope, ...(body.argumentNames as Array<string>)])
        return fn(body.argumentNames as Array<string>, named(body.body, inner))
      }
      default:
        return fail(`unknown ValueNode field ${kind}`)
    }
  }
  return named(json.result, new Set())
}

/** The names of every algorithm a tree calls, sorted (for records and allow-lists). */
export const functionNames = (root: Node): ReadonlyArray<string> => {
  const names = new Set<string>()
  const visit = (n: Node): void => {
    if (n._tag === "Call") {
      names.add(n.name)
      Object.values(n.args).forEach(visit)
    } else if (n._tag === "Fn") visit(n.body)
    else if (n._tag === "Dict") Object.values(n.values).forEach(visit)
    else if (n._tag === "List") n.values.forEach(visit)
  }
  visit(root)
  return [...names].sort()
}
