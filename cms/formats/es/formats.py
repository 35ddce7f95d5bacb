# Dates as readers of this language write them.
DATE_FORMAT = "j \\d\\e F \\d\\e Y"
DATETIME_FORMAT = "j \\d\\e F \\d\\e Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
