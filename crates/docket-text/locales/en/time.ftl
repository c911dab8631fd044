# Dates and times as a person reads them.

time-date = { $day } { $month } { $year }
time-datetime = { $date }, { $clock }
time-now = just now
time-in-minutes = { $n ->
    [one] in 1 minute
   *[other] in { $n } minutes
}
time-in-hours = { $n ->
    [one] in 1 hour
   *[other] in { $n } hours
}
time-in-days = { $n ->
    [one] in 1 day
   *[other] in { $n } days
}
time-ago-minutes = { $n ->
    [one] 1 minute ago
   *[other] { $n } minutes ago
}
time-ago-hours = { $n ->
    [one] 1 hour ago
   *[other] { $n } hours ago
}
time-ago-days = { $n ->
    [one] 1 day ago
   *[other] { $n } days ago
}
time-month-1 = Jan
time-month-2 = Feb
time-month-3 = Mar
time-month-4 = Apr
time-month-5 = May
time-month-6 = Jun
time-month-7 = Jul
time-month-8 = Aug
time-month-9 = Sep
time-month-10 = Oct
time-month-11 = Nov
time-month-12 = Dec

## Numbers and sizes

number-decimal-separator = .
size-megabytes = { $mb } MB
