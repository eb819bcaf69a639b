"""``python -m xlperf.templates``: rewrite the blank templates in workbook_templates/."""

from xlperf.templates.generate import write_all

if __name__ == "__main__":
    for path in write_all():
        print(path.name)
