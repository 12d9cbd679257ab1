import { expect } from 'vitest';
import type { Decider } from '../core/decider.js';
import { DomainError } from '../core/errors.js';

export interface DeciderSpecOptions<State> {
  /** A copy of the state, compared before and after `decide` to prove it changed nothing. */
  snapshot?: (state: State) => unknown;
  /** Runs on the state once the decided events are evolved into it. */
  check?: (state: State) => void;
}

export interface Then<Event> {
  /** Expects exactly these events; returns them. */
  then(expected: Event[]): Event[];
  /** Expects a DomainError with this code and no events; returns the error. */
  then(code: string): DomainError;
}

/**
 * `given(events).when(command).then(events | errorCode)`, after Emmett's DeciderSpecification.
 */
export const deciderSpec =
  <Command, Event, State>(
    decider: Decider<Command, Event, State>,
    options: DeciderSpecOptions<State> = {},
  ) =>
  (given: Event[] = []) => ({
    when: (command: Command): Then<Event> => ({
      then: ((expected: Event[] | string) => {
        let state = decider.initialState();
        for (const event of given) state = decider.evolve(state, event);
        const before = options.snapshot?.(state);
        let events: Event[] | undefined;
        let error: unknown;
        try {
          events = decider.decide(command, state);
        } catch (caught) {
          error = caught;
        }
        if (options.snapshot) {
          expect(options.snapshot(state), 'decide must not change the state').toEqual(before);
        }
        if (typeof expected === 'string') {
          expect(error, `expected ${expected}, got events`).toBeInstanceOf(DomainError);
          expect((error as DomainError).code).toBe(expected);
          return error;
        }
        if (error !== undefined) throw error as Error;
        expect(events).toEqual(expected);
        for (const event of events ?? []) state = decider.evolve(state, event);
        options.check?.(state);
        return events;
      }) as Then<Event>['then'],
    }),
  });
