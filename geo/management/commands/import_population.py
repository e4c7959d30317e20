from geo.importers import ImportFileCommand, PopulationImporter


class Command(ImportFileCommand):
    help = "Import population denominators from CSV/XLSX (mã xã, năm, giới tính, nhóm tuổi, dân số). Nothing is saved if a row is bad unless --valid-only."
    importer_class = PopulationImporter
