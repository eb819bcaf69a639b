Attribute VB_Name = "xlperfRibbon"
' xlperf ribbon callbacks.
'
' The buttons of the ribbon tab in customUI14.xml call these subs. Each one
' runs a function of the Python package xlperf on the active workbook through
' xlwings' RunPython (the xlwings modules are built into the same add-in).
' All the work, and the summary shown at the end, is done in Python
' (xlperf/xl.py); nothing about a rule lives here.
Option Explicit

' Check every rule: mark the cells at fault and list the findings in a sheet.
Sub XlperfValidate(control As IRibbonControl)
    RunPython "import xlperf.xl; xlperf.xl.validate()"
End Sub

' Pair each summary-table row with its direction sheet and compare them.
Sub XlperfCrosscheck(control As IRibbonControl)
    RunPython "import xlperf.xl; xlperf.xl.crosscheck()"
End Sub

' Write the totals as live formulas into the empty total cells.
Sub XlperfFillTotals(control As IRibbonControl)
    RunPython "import xlperf.xl; xlperf.xl.fill_totals()"
End Sub

' Score the self-evaluation tables: scores, execution rate and total.
Sub XlperfScore(control As IRibbonControl)
    RunPython "import xlperf.xl; xlperf.xl.score()"
End Sub

' Remove exactly the marks xlperf made and restore those cells.
Sub XlperfClearMarks(control As IRibbonControl)
    RunPython "import xlperf.xl; xlperf.xl.clear_marks()"
End Sub
