import { AlertDialog, Box, Button, Flex } from '@radix-ui/themes';
import { useMutation } from '@tanstack/react-query';
import { useState, type ComponentProps, type ReactElement, type ReactNode } from 'react';
import { errorMessage } from '../api/errors';
import { Problem } from './Problem';

interface ConfirmDialogProps {
  /** The button that opens the dialog; leave out when the caller drives `open`. */
  trigger?: ReactElement;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  title: ReactNode;
  description: ReactNode;
  confirmLabel: string;
  confirmColor?: ComponentProps<typeof Button>['color'];
  onConfirm: () => Promise<unknown>;
  /** Runs (and is awaited) after a successful confirm, before the dialog closes, e.g. to refetch the list. */
  onConfirmed?: () => unknown;
  /** Pages with plan limits show an upgrade link; everyone else gets the plain message. */
  renderError?: (error: unknown) => ReactNode;
}

/** A destructive action behind a question: the failure stays in the dialog, success closes it. */
export function ConfirmDialog({
  trigger,
  open: controlledOpen,
  onOpenChange,
  title,
  description,
  confirmLabel,
  confirmColor = 'red',
  onConfirm,
  onConfirmed,
  renderError = (error) => <Problem>{errorMessage(error)}</Problem>,
}: ConfirmDialogProps) {
  const [ownOpen, setOwnOpen] = useState(false);
  const open = controlledOpen ?? ownOpen;
  const setOpen = (next: boolean) => {
    if (controlledOpen === undefined) setOwnOpen(next);
    onOpenChange?.(next);
  };
  const confirm = useMutation({
    mutationFn: onConfirm,
    onSuccess: async () => {
      await onConfirmed?.();
      setOpen(false);
    },
  });

  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (!next) confirm.reset();
      }}
    >
      {trigger && <AlertDialog.Trigger>{trigger}</AlertDialog.Trigger>}
      <AlertDialog.Content maxWidth="460px">
        <AlertDialog.Title>{title}</AlertDialog.Title>
        <AlertDialog.Description size="2">{description}</AlertDialog.Description>
        {confirm.isError && <Box mt="4">{renderError(confirm.error)}</Box>}
        <Flex gap="3" mt="5" justify="end">
          <AlertDialog.Cancel>
            <Button variant="soft" color="gray">
              Cancel
            </Button>
          </AlertDialog.Cancel>
          <Button color={confirmColor} loading={confirm.isPending} onClick={() => confirm.mutate()}>
            {confirmLabel}
          </Button>
        </Flex>
      </AlertDialog.Content>
    </AlertDialog.Root>
  );
}
