# The export run: why a record is skipped while mapping, what the user
# should know that costs no item (notices), the plan in words, the
# deletion brake, and a run's report.

## A skipped record as a person reads it

sync-skip-line = { $file }: { $record }: { $reason }
sync-skip-line-nofile = { $record }: { $reason }
sync-skip-rrule-unreadable = cannot read the recurrence rule '{ $rule }': { $error }
sync-skip-rrule-unexpandable = cannot expand the recurrence rule '{ $rule }': { $error }
sync-skip-occurrence-beyond-calendar = the occurrence on { $day } would end beyond the last date a calendar can hold
sync-skip-mapping-failed = this record could not be mapped (an internal error; please report it with the record)
# Why a recurrence rule cannot be read (the reason in
# sync-skip-rrule-unreadable); the rrule library's own words as it gave them.
sync-rrule-bad-until = UNTIL '{ $value }' is neither a date nor a time
sync-rrule-until-twice = UNTIL is given twice
sync-rrule-not-ascii = it holds characters other than plain ASCII
sync-rrule-zero-interval = INTERVAL is 0
sync-rrule-zero-count = COUNT is 0
sync-rrule-count-and-until = it has both COUNT and UNTIL
sync-rrule-refused = { $detail }

## Notices

sync-notice-series-cut = '{ $title }' ({ $uid }) repeats more than { $max } times in the export window; only the first { $max } are exported
sync-notice-contact-emails = contact '{ $name }' ({ $uid }): { $emails ->
    [one] 1 e-mail address
   *[other] { $emails } e-mail addresses
} beyond Outlook's { $max } listed in its notes
sync-notice-contact-fields = contact '{ $name }' ({ $uid }): { $fields ->
    [one] 1 phone number or address
   *[other] { $fields } phone numbers or addresses
} without a free Outlook field listed in its notes
sync-notice-contact-both = contact '{ $name }' ({ $uid }): { $emails ->
    [one] 1 e-mail address
   *[other] { $emails } e-mail addresses
} beyond Outlook's { $max } and { $fields ->
    [one] 1 phone number or address
   *[other] { $fields } phone numbers or addresses
} without a free Outlook field listed in its notes
sync-notice-listing-incomplete = { $kind ->
    [event] the listing of our events was incomplete: nothing is taken as deleted from it
    [task] the listing of our tasks was incomplete: nothing is taken as deleted from it
   *[contact] the listing of our contacts was incomplete: nothing is taken as deleted from it
}
sync-notice-listing-empty = { $kind ->
    [event] the listing found none of our { $n } events: that is not taken to mean they were all deleted (unless you allow these deletions)
    [task] the listing found none of our { $n } tasks: that is not taken to mean they were all deleted (unless you allow these deletions)
   *[contact] the listing found none of our { $n } contacts: that is not taken to mean they were all deleted (unless you allow these deletions)
}
sync-notice-pms-incomplete = the PMS could not be read completely: { $n ->
    [one] 1 item missing from it was not deleted
   *[other] { $n } items missing from it were not deleted
}
sync-notice-no-change-tracking = { $kind ->
    [event] could not start change tracking for events: { $error }
    [task] could not start change tracking for tasks: { $error }
   *[contact] could not start change tracking for contacts: { $error }
}

## The deletion brake

sync-brake = Stopped before deleting { $deletes } of { $owned } exported items ({ $percent }%, more than the { $allowed }% allowed)
    .body = If the PMS really removed them, allow these deletions; otherwise check the PMS export.

## The plan in words (sync --dry-run)

sync-count-appointments = { $n ->
    [one] 1 appointment
   *[other] { $n } appointments
}
sync-count-deadlines = { $n ->
    [one] 1 deadline
   *[other] { $n } deadlines
}
sync-count-contacts = { $n ->
    [one] 1 contact
   *[other] { $n } contacts
}
sync-plan-create = create { $items }
sync-plan-update = update { $items }
sync-plan-update-edited = update { $items } ({ $edited } edited in Outlook, the PMS wins)
sync-plan-delete = delete { $items } ({ $why })
sync-plan-why-gone = { $n } gone from the PMS
sync-plan-why-cancelled = { $n } cancelled
sync-plan-why-unsubscribed = { $n } unsubscribed
sync-plan-why-not-in-series = { $n } no longer in their series
sync-plan-recreate = recreate { $items } deleted in Outlook
sync-plan-move = move { $items } to the other place (deadlines_to changed)
sync-plan-duplicates = { $n ->
    [one] remove 1 duplicate
   *[other] remove { $n } duplicates
}
sync-plan-skip = skip { $n }: { $shown }
sync-plan-skip-more = skip { $n }: { $shown }; and { $more } more
sync-plan-nothing = nothing to do
sync-plan-unchanged = { $parts } ({ $n } unchanged)
sync-plan-unchanged-left-alone = { $parts } ({ $n } unchanged, { $left } left alone)
sync-plan-note = note: { $notice }

## A failed or paused item

sync-failed-request = { $error }
sync-failed-graph = Microsoft 365: { $reason }
sync-failed-no-id = Microsoft 365 answered without an id
sync-failed-deleted-meanwhile = deleted in Outlook meanwhile; it is recreated next run
sync-held-back = { $attempts ->
    [one] failed once
   *[other] failed { $attempts } times
}, last: { $error }; next try { $next }

## A run's report

sync-report-plan = Plan (nothing was changed): { $plan }
sync-report-exported = Exported: { $created } created, { $updated } updated, { $deleted } deleted, { $recreated } recreated after deletion in Outlook, { $moved } moved, { $unchanged } unchanged.
sync-report-held = Held back: { $brake }
sync-report-failed = Failed (tried again next run): { $item }: { $reason }
sync-report-paused = Paused after repeated failures: { $item }: { $reason }
sync-report-skipped = Skipped: { $line }
sync-report-note = Note: { $notice }
sync-report-requests = Microsoft Graph requests: { $requests } ({ $reads } reads, { $writes } writes in { $batches } batches; { $throttled } throttled and retried).

## Written into an exported contact's notes (in the user's language):
## what did not fit Outlook's fields, one line each under a heading.

sync-contact-overflow = Also in the PMS (no room in Outlook):
sync-contact-overflow-line = { $field ->
        [email] E-mail
        [mobile] Mobile
        [fax] Fax
        [phone] Phone
       *[address] Address
    } ({ $usage ->
        [work] work
        [home] home
       *[other] other
    }): { $value }
