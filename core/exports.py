"""File responses for exports. The caller's service records the export in the audit trail."""
import csv

from django.http import HttpResponse


def csv_response(filename: str, columns: list[str], rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # Excel opens UTF-8 with a BOM correctly
    writer = csv.writer(response)
    writer.writerow(columns)
    writer.writerows(rows)
    return response
