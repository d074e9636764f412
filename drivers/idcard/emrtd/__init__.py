"""ICAO 9303 eMRTDs (passports, travel permits): MRZ, BAC, PACE, secure messaging, LDS, PA.

Pure-Python protocol modules (no I/O) plus :mod:`.pcsc`, the pyscard backend. Importing this
package is cheap; pyscard loads only with :mod:`.pcsc`.
"""
