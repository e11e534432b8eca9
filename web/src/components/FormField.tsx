import { Flex, Text, TextField } from '@radix-ui/themes';
import { useId, type ComponentProps } from 'react';

type InputProps = Omit<ComponentProps<typeof TextField.Root>, 'id' | 'aria-invalid' | 'aria-describedby'>;

/** A labelled text input whose hint or error is announced with it. */
export function FormField({ label, hint, error, ...input }: InputProps & { label: string; hint?: string; error?: string | null }) {
  const id = useId();
  const noteId = `${id}-note`;
  const note = error ?? hint;
  return (
    <Flex direction="column" gap="1">
      <Text as="label" htmlFor={id} size="2" weight="medium">
        {label}
      </Text>
      <TextField.Root
        id={id}
        size="3"
        aria-invalid={error ? true : undefined}
        aria-describedby={note ? noteId : undefined}
        color={error ? 'red' : undefined}
        {...input}
      />
      {note && (
        <Text id={noteId} size="1" color={error ? 'red' : 'gray'}>
          {note}
        </Text>
      )}
    </Flex>
  );
}
