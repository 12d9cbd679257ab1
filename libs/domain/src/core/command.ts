/**
 * Time and identity come in with the command, so `decide` stays pure: no clock, no randomness.
 */
export type CommandMetadata = Readonly<{
  /** ISO-8601 instant at which the command was accepted. */
  now: string;
  actor?: string;
}>;

/** An intention, named in the imperative (`CreateNetwork`), that a decider may refuse. */
export type Command<Type extends string = string, Data extends object = object> = Readonly<{
  type: Type;
  data: Readonly<Data>;
  metadata: CommandMetadata;
}>;
