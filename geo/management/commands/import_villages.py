from geo.importers import ImportFileCommand, VillageImporter


class Command(ImportFileCommand):
    help = "Import villages from CSV/XLSX (mã xã | tên xã, tên thôn, loại). Nothing is saved if a row is bad unless --valid-only."
    importer_class = VillageImporter
