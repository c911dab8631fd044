# Datum und Uhrzeit, wie man sie liest (Monatsabkürzungen nach CLDR).

time-date = { $day }. { $month } { $year }
time-datetime = { $date }, { $clock }
time-now = gerade eben
time-in-minutes = { $n ->
    [one] in 1 Minute
   *[other] in { $n } Minuten
}
time-in-hours = { $n ->
    [one] in 1 Stunde
   *[other] in { $n } Stunden
}
time-in-days = { $n ->
    [one] in 1 Tag
   *[other] in { $n } Tagen
}
time-ago-minutes = { $n ->
    [one] vor 1 Minute
   *[other] vor { $n } Minuten
}
time-ago-hours = { $n ->
    [one] vor 1 Stunde
   *[other] vor { $n } Stunden
}
time-ago-days = { $n ->
    [one] vor 1 Tag
   *[other] vor { $n } Tagen
}
time-month-1 = Jan.
time-month-2 = Feb.
time-month-3 = März
time-month-4 = Apr.
time-month-5 = Mai
time-month-6 = Juni
time-month-7 = Juli
time-month-8 = Aug.
time-month-9 = Sept.
time-month-10 = Okt.
time-month-11 = Nov.
time-month-12 = Dez.

## Numbers and sizes

number-decimal-separator = ,
size-megabytes = { $mb } MB
