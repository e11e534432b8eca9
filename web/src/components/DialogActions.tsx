import { Button, Dialog, Flex } from '@radix-ui/themes';

/** The end of a dialog's form: Cancel closes the dialog, the primary button submits the form. */
export function DialogActions({ pending, label, disabled }: { pending: boolean; label: string; disabled?: boolean }) {
  return (
    <Flex gap="3" mt="5" justify="end">
      <Dialog.Close>
        <Button type="button" variant="soft" color="gray" size="3">
          Cancel
        </Button>
      </Dialog.Close>
      <Button type="submit" size="3" loading={pending} disabled={disabled}>
        {label}
      </Button>
    </Flex>
  );
}

/** The end of a dialog that only shows something: one Close button. */
export function CloseAction({ mt }: { mt: '4' | '5' }) {
  return (
    <Flex justify="end" mt={mt}>
      <Dialog.Close>
        <Button variant="soft" color="gray">
          Close
        </Button>
      </Dialog.Close>
    </Flex>
  );
}
