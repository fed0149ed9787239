"""Synthetic Indonesian casework text with gold annotations.

Sentences like those in social-work, counselling, legal-aid and clinic
reports, with invented people, places and numbers, and the character span and
type of every piece of personal data. Used to train the name model (one seed)
and to evaluate detection (a held-back seed: bench/detection.py uses 20261122).

Every identifier is invented; NIKs and KKs follow the official structure
(region code, date, serial) so that validators accept them.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

# ---- people -----------------------------------------------------------------
NAMES = {
    "javanese": (["Suparman", "Sri", "Joko", "Bambang", "Endang", "Wahyu", "Sumarni", "Slamet", "Tri", "Dwi",
                  "Agus", "Puji", "Rahayu", "Sugiyono", "Wulandari", "Heru", "Ponirah", "Tukiyem", "Wagiman", "Siti"],
                 ["Susilo", "Sutrisno", "Wahyuni", "Santoso", "Purnomo", "Setiawan", "Lestari", "Handayani",
                  "Prasetyo", "Kurniawan", "Hartono", "Mulyani", "Nugroho", "Aminah", "Rahmawati"]),
    "sundanese": (["Asep", "Cecep", "Euis", "Dadang", "Ujang", "Neng", "Iis", "Dedi", "Yayan", "Entis", "Aceng"],
                  ["Saepudin", "Komariah", "Supriatna", "Hidayat", "Sumarna", "Permana", "Nurhayati", "Sobari"]),
    "batak": (["Tigor", "Roma", "Rudolf", "Lamhot", "Togar", "Rosmawati", "Hotman", "Marudut", "Dame", "Sahat"],
              ["Simanjuntak", "Situmorang", "Sinaga", "Hutagalung", "Siregar", "Nasution", "Pardede", "Hutapea",
               "Manurung", "Silalahi", "Simatupang", "Lubis"]),
    "minang": (["Rizal", "Syafri", "Yusnimar", "Zulkifli", "Afrizal", "Desi", "Yulia", "Erman", "Nofrizal"],
               ["Chaniago", "Piliang", "Tanjung", "Koto", "Sikumbang", "Caniago", "Jambak", "Melayu"]),
    "bugis": (["Andi", "Baso", "Muhammad Arifin", "Andi Tenri", "Sitti", "Nurdin", "Syamsul", "Hasnah"],
              ["Daeng Matasa", "Daeng Rewa", "Mappanyukki", "Pettarani", "Lamaddukelleng", "Batari"]),
    "balinese": (["I Wayan", "Ni Luh Putu", "I Gusti Ngurah", "I Made", "I Nyoman", "I Ketut", "Ni Made", "Ni Komang"],
                 ["Sudarma", "Ayu Lestari", "Rai", "Suarta", "Wirawan", "Astiti", "Dharmawan", "Sukerti"]),
    "chinese": (["Liem", "Tan", "Lie", "Oey", "Kwee", "The", "Go", "Budi", "Hendra", "Yohanes", "Lanny", "Melinda"],
                ["Swie King", "Siok Lan", "Kiat", "Hong Lian", "Tjoen", "Gunawan", "Tanoto", "Halim", "Wijaya",
                 "Salim", "Kurniadi", "Santoso"]),
    "arabic": (["Muhammad", "Ahmad", "Abdullah", "Fatimah", "Khadijah", "Umar", "Hasan", "Husein", "Aisyah", "Zainab"],
               ["Fauzan Al-Habsyi", "bin Umar Assegaf", "Az-Zahra", "Syarifuddin", "Alatas", "Baraqbah",
                "Al-Jufri", "Bahasyim", "Shihab"]),
    "eastern": (["Yohanis", "Marthen", "Maria Goreti", "Yosef", "Kristina", "Agustinus", "Frans", "Yuliana", "Petrus"],
                ["Wenda", "Kogoya", "Ndoen", "Manafe", "Rumbiak", "Kambu", "Pattiasina", "Tahitu", "Lay"]),
}
SINGLE_NAMES = ["Sukarno", "Suparman", "Ponirah", "Tukiyem", "Wagiman", "Sarinah", "Kasiyem", "Paijo", "Sumini",
                "Karto", "Painem", "Jumadi", "Rusdi", "Samsul", "Marni"]
HONORIFICS = ["Bapak", "Pak", "Ibu", "Bu", "Sdr.", "Sdri.", "Saudara", "Saudari", "Tn.", "Ny.", "Nn.", "An.",
              "Kak", "Mas", "Mbak", "dr.", "Dr.", "H.", "Hj."]
ROLES = ["klien", "korban", "pelaku", "pasien", "anak", "saksi", "terdakwa", "pelapor", "tersangka", "penerima manfaat"]

# ---- places -----------------------------------------------------------------
CITIES = ["Palembang", "Bandung", "Medan", "Makassar", "Denpasar", "Surabaya", "Padang", "Kupang", "Pontianak",
          "Semarang", "Yogyakarta", "Malang", "Manado", "Jayapura", "Banjarmasin", "Pekanbaru", "Bogor", "Cirebon",
          "Tasikmalaya", "Pematangsiantar", "Bukittinggi", "Parepare", "Singaraja", "Ambon", "Sorong", "Jambi"]
KABUPATEN = ["Bantul", "Sleman", "Garut", "Sumedang", "Deli Serdang", "Toba", "Agam", "Gowa", "Bone", "Gianyar",
             "Tabanan", "Sikka", "Jayawijaya", "Banyumas", "Kebumen", "Sijunjung", "Ogan Ilir", "Lombok Timur"]
VILLAGES = ["Sukajadi", "Sukarami", "Margahayu", "Cibeunying", "Tegalrejo", "Kotabaru", "Sidomulyo", "Mekarsari",
            "Karangasem", "Banjarsari", "Pasar Baru", "Bukit Kecil", "Tanjung Rejo", "Sungai Lulut", "Padang Bulan",
            "Kampung Melayu", "Lubuk Buaya", "Panakkukang", "Ubung Kaja", "Oebobo"]
STREETS = ["Merdeka", "Sudirman", "Diponegoro", "Prof. M. Yamin", "Ahmad Yani", "Gatot Subroto", "Kartini",
           "Pahlawan", "Veteran", "Cendrawasih", "Kenanga", "Mawar", "Melati", "Flamboyan", "Sisingamangaraja",
           "Hasanuddin", "Teuku Umar", "Imam Bonjol", "Pattimura", "Raya Bogor"]
GANG = ["Mawar", "Melati", "Kenari", "Damai", "Sepakat", "Buntu", "Rukun", "Masjid", "H. Naim"]
PROVINCES = ["Sumatera Selatan", "Jawa Barat", "Sumatera Utara", "Sulawesi Selatan", "Bali", "Jawa Timur",
             "Sumatera Barat", "Nusa Tenggara Timur", "Kalimantan Barat", "Jawa Tengah", "Papua", "DI Yogyakarta"]
ORGS = ["Dinas Sosial Kota {city}", "Puskesmas {village}", "Polres {city}", "Pengadilan Negeri {city}",
        "LBH {city}", "Yayasan Sayap Ibu", "Kementerian Sosial", "RSUD {city}", "UPTD PPA Kota {city}",
        "Balai Rehabilitasi Sosial", "P2TP2A Kabupaten {kab}", "Sekolah Dasar Negeri 3 {city}"]

MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
          "November", "Desember"]
MONTHS_SHORT = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]
PROVINCE_CODES = [11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53, 61, 62, 63, 64, 65,
                  71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96]
BANKS = ["BRI", "BNI", "BCA", "Mandiri", "BSI", "Bank Jatim", "Bank Sumsel Babel", "BTN"]
PLATE_PREFIX = ["B", "D", "BG", "BK", "DD", "DK", "L", "N", "AB", "H", "F", "T", "KT", "DA", "BA", "PA"]
COURTS = ["PN Jkt.Sel", "PN Bdg", "PN Plg", "PN Mdn", "PN Mks", "PN Dps", "PN Sby", "PN Pdg", "PN Kpg"]
RELIGIOUS = ["PA.JS", "PA.Bdg", "PA.Plg", "PA.Mdn", "PA.Sby"]


@dataclass
class Example:
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)


class Builder:
    """Concatenates literal text and labelled values, recording spans."""

    def __init__(self):
        self.parts: list[str] = []
        self.spans: list[tuple[int, int, str]] = []
        self.length = 0

    def add(self, text: str, label: str | None = None) -> "Builder":
        if label:
            self.spans.append((self.length, self.length + len(text), label))
        self.parts.append(text)
        self.length += len(text)
        return self

    def build(self) -> Example:
        return Example("".join(self.parts), list(self.spans))


class Generator:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    # ---- values ---------------------------------------------------------------
    def person(self) -> str:
        r = self.rng.random()
        if r < 0.12:
            return self.rng.choice(SINGLE_NAMES)
        first, last = NAMES[self.rng.choice(list(NAMES))]
        name = f"{self.rng.choice(first)} {self.rng.choice(last)}"
        if self.rng.random() < 0.15:
            name = f"{self.rng.choice(first)} {name}"
        return name

    def initials(self) -> str:
        letters = "ABCDEFGHIJKLMNOPRSTUWY"
        return "".join(self.rng.choice(letters) for _ in range(self.rng.choice([2, 2, 3])))

    def nik(self, female: bool | None = None) -> str:
        female = self.rng.random() < 0.5 if female is None else female
        day = self.rng.randint(1, 28) + (40 if female else 0)
        return (f"{self.rng.choice(PROVINCE_CODES):02d}{self.rng.randint(1, 79):02d}{self.rng.randint(1, 40):02d}"
                f"{day:02d}{self.rng.randint(1, 12):02d}{self.rng.randint(0, 99):02d}{self.rng.randint(1, 9999):04d}")

    def kk(self) -> str:
        return (f"{self.rng.choice(PROVINCE_CODES):02d}{self.rng.randint(1, 79):02d}{self.rng.randint(1, 40):02d}"
                f"{self.rng.randint(1, 28):02d}{self.rng.randint(1, 12):02d}{self.rng.randint(0, 24):02d}"
                f"{self.rng.randint(1, 9999):04d}")

    def npwp(self) -> str:
        d = [self.rng.randint(0, 9) for _ in range(15)]
        s = "".join(map(str, d))
        if self.rng.random() < 0.7:
            return f"{s[:2]}.{s[2:5]}.{s[5:8]}.{s[8]}-{s[9:12]}.{s[12:]}"
        return s

    def phone(self) -> str:
        r = self.rng.random()
        op = self.rng.choice(["11", "12", "13", "21", "22", "52", "53", "55", "56", "57", "58", "77", "78", "81",
                              "82", "95", "96", "97", "98", "99", "38", "31", "32"])
        a, b = self.rng.randint(100, 9999), self.rng.randint(1000, 99999)
        if r < 0.25:
            return f"+62 8{op}-{a:04d}-{b % 10000:04d}"
        if r < 0.45:
            return f"08{op} {a:04d} {b % 10000:04d}"
        if r < 0.6:
            return f"08{op}{a:04d}{b % 10000:04d}"
        if r < 0.7:
            return f"628{op}{a:04d}{b % 1000:03d}"
        if r < 0.8:
            return f"0{self.rng.choice(['21', '22', '711', '61', '411', '361', '31'])}-{a:04d}{b % 1000:03d}"
        if r < 0.9:
            return f"({self.rng.choice(['021', '022', '0711', '0361'])}) {a % 1000:03d} {b % 10000:04d}"
        return f"62-21-{a:04d}{b % 1000:03d}"

    def email(self, name: str) -> str:
        base = "".join(c for c in name.lower().replace(" ", ".") if c.isalnum() or c == ".").strip(".")
        return f"{base}{self.rng.randint(1, 99)}@{self.rng.choice(['gmail.com', 'yahoo.co.id', 'ymail.com', 'outlook.com', 'mail.id'])}"

    def address(self) -> str:
        parts = []
        kind = self.rng.random()
        if kind < 0.6:
            parts.append(f"{self.rng.choice(['Jl.', 'Jln.', 'Jalan'])} {self.rng.choice(STREETS)}")
            if self.rng.random() < 0.4:
                parts[-1] += f" {self.rng.choice(['Gg.', 'Gang'])} {self.rng.choice(GANG)}"
            parts[-1] += f" No. {self.rng.randint(1, 250)}"
        elif kind < 0.8:
            parts.append(f"{self.rng.choice(['Perum', 'Perumahan', 'Komplek', 'Kompleks'])} Griya {self.rng.choice(['Asri', 'Indah', 'Permai', 'Lestari'])} Blok {self.rng.choice('ABCDEFG')}{self.rng.randint(1, 12)} No. {self.rng.randint(1, 40)}")
        else:
            parts.append(f"{self.rng.choice(['Dusun', 'Dsn.'])} {self.rng.choice(VILLAGES)}")
        if self.rng.random() < 0.7:
            parts[-1] += f" RT {self.rng.randint(1, 20):03d}/RW {self.rng.randint(1, 15):03d}"
        if self.rng.random() < 0.8:
            parts.append(f"{self.rng.choice(['Kel.', 'Kelurahan', 'Desa'])} {self.rng.choice(VILLAGES)}")
        if self.rng.random() < 0.8:
            parts.append(f"{self.rng.choice(['Kec.', 'Kecamatan'])} {self.rng.choice(VILLAGES)}")
        if self.rng.random() < 0.5:
            parts.append(f"Kota {self.rng.choice(CITIES)}")
        else:
            parts.append(f"{self.rng.choice(['Kab.', 'Kabupaten'])} {self.rng.choice(KABUPATEN)}")
        if self.rng.random() < 0.3:
            parts.append(f"Provinsi {self.rng.choice(PROVINCES)}")
        text = ", ".join(parts)
        if self.rng.random() < 0.6:
            text += f" {self.rng.randint(10000, 99999)}"
        return text

    def date(self) -> str:
        r = self.rng.random()
        d, m, y = self.rng.randint(1, 28), self.rng.randint(1, 12), self.rng.randint(1950, 2020)
        if r < 0.5:
            return f"{d} {MONTHS[m - 1]} {y}"
        if r < 0.7:
            return f"{d} {MONTHS_SHORT[m - 1]} {y}"
        return f"{d:02d}-{m:02d}-{y}"

    def case_number(self) -> str:
        r = self.rng.random()
        n, y = self.rng.randint(1, 2500), self.rng.randint(2015, 2025)
        if r < 0.35:
            kind = self.rng.choice(["Pid.B", "Pid.Sus", "Pid.Sus-Anak", "Pdt.G", "Pdt.P", "Pid.C"])
            return f"{n}/{kind}/{y}/{self.rng.choice(COURTS)}"
        if r < 0.55:
            return f"{n}/Pdt.G/{y}/{self.rng.choice(RELIGIOUS)}"
        if r < 0.75:
            return f"{n} {self.rng.choice(['K', 'PK'])}/{self.rng.choice(['Pid', 'Pdt', 'Pid.Sus', 'Ag'])}/{y}"
        roman = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"][self.rng.randint(0, 11)]
        return f"LP/B/{n}/{roman}/{y}/SPKT/{self.rng.choice(['POLDA METRO JAYA', 'POLRES PALEMBANG', 'POLDA JABAR', 'POLRESTABES MEDAN'])}"

    # ---- sentences ------------------------------------------------------------
    def example(self) -> Example:
        template = self.rng.choice(self.TEMPLATES)
        return template(self)

    def _name_with_honorific(self, b: Builder) -> None:
        if self.rng.random() < 0.5:
            b.add(self.rng.choice(HONORIFICS) + " ")
        b.add(self.person(), "PERSON")

    def t_identity(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Nama: ", "Nama klien: ", "Nama lengkap : ", "Klien bernama "]))
        b.add(self.person(), "PERSON")
        b.add(self.rng.choice([", NIK ", ". NIK: ", " (NIK ", "; No. KTP "]))
        b.add(self.nik(), "ID_NIK")
        b.add(self.rng.choice([", lahir di ", ", tempat/tanggal lahir ", ". TTL: "]))
        b.add(self.rng.choice(CITIES), "LOCATION")
        b.add(", ")
        b.add(self.date(), "DATE_OF_BIRTH")
        b.add(".")
        return b.build()

    def t_address(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Alamat: ", "Klien tinggal di ", "Alamat domisili ", "Beralamat di ", "Rumah keluarga di "]))
        b.add(self.address(), "ADDRESS")
        b.add(".")
        return b.build()

    def t_family(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Orang tua klien adalah ", "Ayah kandung: ", "Wali anak yaitu "]))
        b.add(self.rng.choice(["Bapak ", "Pak ", ""]))
        b.add(self.person(), "PERSON")
        b.add(self.rng.choice([" dan ", " serta ", ", ibu: "]))
        b.add(self.rng.choice(["Ibu ", "Bu ", "Ny. ", ""]))
        b.add(self.person(), "PERSON")
        b.add(self.rng.choice([". No. KK ", ", Kartu Keluarga nomor ", ". Nomor KK: "]))
        b.add(self.kk(), "ID_KK")
        b.add(".")
        return b.build()

    def t_contact(self) -> Example:
        b = Builder()
        name = self.person()
        b.add(self.rng.choice(["Kontak wali ", "Hubungi ", "Nomor HP ", "Telepon keluarga "]))
        b.add(name, "PERSON")
        b.add(self.rng.choice([": ", " di ", " melalui "]))
        b.add(self.phone(), "PHONE_NUMBER")
        b.add(self.rng.choice([" atau surel ", ", email: ", " / "]))
        b.add(self.email(name), "EMAIL_ADDRESS")
        b.add(".")
        return b.build()

    def t_case(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Perkara nomor ", "Berdasarkan putusan ", "Laporan polisi ", "Nomor register "]))
        b.add(self.case_number(), "CASE_NUMBER")
        b.add(self.rng.choice([" atas nama ", " dengan terdakwa ", " yang melibatkan korban "]))
        self._name_with_honorific(b)
        b.add(self.rng.choice([" telah diputus.", " masih berjalan.", " dirujuk ke LBH."]))
        return b.build()

    def t_minor(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Anak berinisial ", "Korban berinisial ", "Klien berinisial ", "Pelaku anak berinisial "]))
        start = b.length
        b.add(self.initials(), "PERSON")
        b.add(" (")
        age = self.rng.randint(4, 17)
        b.add(self.rng.choice([f"{age}", f"{age} tahun", f"{age} th"]), "AGE")
        b.add(")")
        # The initials and their age must be found as one span: a gold label
        # of its own (bench/detection.py counts a PERSON span covering it).
        b.spans.append((start, b.length, "INITIALS_WITH_AGE"))
        b.add(self.rng.choice([" tinggal bersama neneknya di ", " berasal dari ", " ditemukan di "]))
        b.add(self.rng.choice(VILLAGES), "LOCATION")
        b.add(".")
        return b.build()

    def t_health(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Pasien ", "Klien ", "An. "]))
        b.add(self.person(), "PERSON")
        b.add(self.rng.choice([" dengan No. RM ", ", No. Rekam Medis ", ", nomor rekam medis "]))
        rm = self.rng.choice([f"{self.rng.randint(10, 99)}-{self.rng.randint(10, 99)}-{self.rng.randint(10, 99)}", f"{self.rng.randint(1000, 999999):06d}"])
        b.add(rm, "MEDICAL_RECORD_NUMBER")
        b.add(self.rng.choice([" dan kartu BPJS ", ", peserta BPJS Kesehatan ", ", No. BPJS "]))
        b.add(f"000{self.rng.randint(1000000000, 9999999999)}", "ID_BPJS")
        b.add(self.rng.choice([" dirawat di ", " kontrol rutin di "]))
        b.add(f"RSUD {self.rng.choice(CITIES)}")
        b.add(".")
        return b.build()

    def t_documents(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Paspor ", "Nomor paspor ", "Passport no. "]))
        b.add(f"{self.rng.choice('ABCX')}{self.rng.randint(1000000, 9999999)}", "ID_PASSPORT")
        b.add(self.rng.choice([", SIM ", ", nomor SIM "]))
        b.add(f"{self.rng.randint(1000, 9999)}-{self.rng.randint(1000, 9999)}-{self.rng.randint(100000, 999999)}", "ID_SIM")
        b.add(self.rng.choice([", kendaraan bernomor polisi ", ", sepeda motor plat "]))
        b.add(f"{self.rng.choice(PLATE_PREFIX)} {self.rng.randint(1, 9999)} {''.join(self.rng.choice('ABCDEFGHJKLMNPRSTUVWXYZ') for _ in range(self.rng.randint(1, 3)))}", "ID_VEHICLE_PLATE")
        b.add(".")
        return b.build()

    def t_money(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Bantuan ditransfer ke rekening ", "Dana dikirim ke No. Rek. ", "Nomor rekening "]))
        b.add(self.rng.choice(BANKS) + " ")
        b.add(f"{self.rng.randint(10 ** 9, 10 ** 13 - 1)}", "BANK_ACCOUNT")
        b.add(" a.n. ")
        b.add(self.person(), "PERSON")
        b.add(self.rng.choice([" sebesar Rp 1.500.000.", " senilai Rp2.750.000,00.", " pada 12 Maret 2024."]))
        return b.build()

    def t_tax(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["NPWP ", "Nomor NPWP: ", "NPWP pribadi "]))
        b.add(self.npwp(), "ID_NPWP")
        b.add(self.rng.choice([" terdaftar atas nama ", " milik "]))
        b.add(self.person(), "PERSON")
        b.add(".")
        return b.build()

    def t_social(self) -> Example:
        b = Builder()
        name = self.person()
        handle = "".join(c for c in name.lower().replace(" ", "_") if c.isalnum() or c == "_")
        b.add(self.rng.choice(["Akun Instagram ", "Pelaku menghubungi korban lewat akun ", "Profil "]))
        b.add(f"@{handle}{self.rng.randint(1, 99)}", "SOCIAL_MEDIA")
        b.add(self.rng.choice([" dan facebook ", " serta "]))
        b.add(f"facebook.com/{handle.replace('_', '.')}", "SOCIAL_MEDIA")
        b.add(".")
        return b.build()

    def t_narrative(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["Pada kunjungan rumah, ", "Dalam sesi konseling, ", "Menurut keterangan ", ""]))
        b.add(self.rng.choice(ROLES) + " ")
        b.add(self.person(), "PERSON")
        b.add(self.rng.choice([" menyampaikan bahwa ", " mengaku ", " bercerita bahwa "]))
        b.add(self.rng.choice(["ia sering dimarahi oleh ", "ia tinggal bersama ", "ia dijemput oleh "]))
        self._name_with_honorific(b)
        b.add(self.rng.choice([" di ", " dari "]))
        b.add(self.rng.choice(CITIES + KABUPATEN), "LOCATION")
        b.add(self.rng.choice([".", " sejak tahun lalu.", " setiap minggu."]))
        return b.build()

    def t_referral(self) -> Example:
        b = Builder()
        org = self.rng.choice(ORGS).format(city=self.rng.choice(CITIES), village=self.rng.choice(VILLAGES), kab=self.rng.choice(KABUPATEN))
        b.add(self.rng.choice(["Klien dirujuk oleh ", "Kasus dilaporkan oleh "]))
        self._name_with_honorific(b)
        b.add(f" dari {org} pada {self.rng.randint(1, 28)} {self.rng.choice(MONTHS)} 2024.")
        return b.build()

    def t_negative(self) -> Example:
        """Sentences with numbers and names that are not personal data."""
        b = Builder()
        b.add(self.rng.choice([
            "Sesuai UU No. 27 Tahun 2022 tentang Pelindungan Data Pribadi, data klien dirahasiakan.",
            "Anggaran kegiatan sebesar Rp 12.500.000 dicairkan pada 3 Januari 2024.",
            "Layanan pengaduan dapat dihubungi melalui call center 14090 pada hari kerja.",
            "Rapat koordinasi dihadiri 25 peserta dari 7 lembaga pada pukul 09.00 WIB.",
            "Program ini didanai Kementerian Sosial melalui Dinas Sosial Provinsi.",
            "Sebanyak 1.250 anak menerima bantuan pendidikan pada tahun 2023.",
            "Berdasarkan Permensos Nomor 8 Tahun 2021, pendampingan dilakukan selama 6 bulan.",
            "Laporan ini disusun oleh tim pekerja sosial dan diserahkan kepada kepala dinas.",
            "Kegiatan berlangsung di aula kantor kecamatan dengan protokol kesehatan.",
            "Tabel 3 menunjukkan kenaikan 15 persen dibanding tahun 2022.",
        ]))
        return b.build()

    def t_english(self) -> Example:
        b = Builder()
        b.add(self.rng.choice(["The client, ", "According to ", "Our counsellor met "]))
        b.add(self.rng.choice(["Mr. ", "Mrs. ", "Ms. ", ""]))
        b.add(self.person(), "PERSON")
        b.add(self.rng.choice([", who lives in ", ", from ", " in "]))
        b.add(self.rng.choice(CITIES), "LOCATION")
        b.add(self.rng.choice([", reported the incident to the police.", ", agreed to weekly sessions.", ", was referred by the school."]))
        return b.build()

    TEMPLATES = [t_identity, t_address, t_family, t_contact, t_case, t_minor, t_health, t_documents, t_money,
                 t_tax, t_social, t_narrative, t_narrative, t_referral, t_negative, t_negative, t_english]


# News-style sentences: Indonesian and foreign names after the verbs and
# titles that introduce people in news and Wikipedia text. Used only when
# asked for (train_ner.py --news), so that the casework sets stay as they were.
FOREIGN = [
    ("John", "Smith"), ("Maria", "Garcia"), ("Hiroshi", "Tanaka"), ("Yuki", "Nakamura"), ("Kim", "Min-jun"),
    ("Park", "Ji-sung"), ("Li", "Wei"), ("Zhang", "Xiaoming"), ("Ahmed", "Hassan"), ("Fatima", "Al-Sayed"),
    ("Rajesh", "Kumar"), ("Priya", "Sharma"), ("Olena", "Kovalenko"), ("Pierre", "Dubois"), ("Hans", "Mueller"),
    ("Giovanni", "Rossi"), ("Carlos", "Silva"), ("Kwame", "Mensah"), ("Nguyen", "Van An"), ("Somchai", "Wongsakul"),
    ("Lionel", "Messi"), ("Angela", "Merkel"), ("Vladimir", "Putin"), ("Shinzo", "Abe"), ("Ban", "Ki-moon"),
]
NEWS_TEMPLATES = [
    "{p}, kata {name} kepada wartawan di {place}.",
    "Menurut {name}, kebijakan itu akan diterapkan mulai tahun depan.",
    "{name} mengatakan pihaknya masih menunggu hasil pemeriksaan.",
    "Pelatih {name} memuji penampilan timnya di {place}.",
    "Hal itu disampaikan {role} {name} saat berkunjung ke {place}.",
    "{name} lahir di {place} dan besar di {place2}.",
    "Dalam wawancara, {name} menyebut {name2} sebagai panutannya.",
    "ujar {name} usai rapat di {place} .",
    "{name} dan {name2} bertemu di {place} pekan lalu.",
    "Film yang dibintangi {name} itu tayang di {place}.",
]
ROLES_NEWS = ["Menteri", "Gubernur", "Bupati", "Presiden", "Direktur", "Ketua", "Kapolres", "Duta Besar", "Wali Kota"]
PLACES_NEWS = CITIES + KABUPATEN + ["Tokyo", "Seoul", "Beijing", "Kairo", "Mumbai", "Paris", "Berlin", "Roma",
                                     "Madrid", "London", "New York", "Sydney", "Kuala Lumpur", "Singapura", "Manila"]


def news_examples(n: int, seed: int) -> list[Example]:
    rng = random.Random(seed)
    gen = Generator(seed + 1)
    out = []
    for _ in range(n):
        template = rng.choice(NEWS_TEMPLATES)
        names = []
        for _ in range(2):
            if rng.random() < 0.5:
                first, last = rng.choice(FOREIGN)
                names.append(f"{first} {last}" if rng.random() < 0.8 else last)
            else:
                names.append(gen.person())
        b = Builder()
        parts = re.split(r"(\{\w+\})", template)
        for part in parts:
            if part == "{name}":
                b.add(names[0], "PERSON")
            elif part == "{name2}":
                b.add(names[1], "PERSON")
            elif part in ("{place}", "{place2}"):
                b.add(rng.choice(PLACES_NEWS), "LOCATION")
            elif part == "{role}":
                b.add(rng.choice(ROLES_NEWS))
            elif part == "{p}":
                b.add(rng.choice(["Kami akan terus berupaya", "Situasinya sudah aman", "Ini langkah awal"]))
            else:
                b.add(part)
        out.append(b.build())
    return out


def generate(n: int, seed: int) -> list[Example]:
    gen = Generator(seed)
    return [gen.example() for _ in range(n)]


if __name__ == "__main__":
    for ex in generate(12, 1):
        print(ex.text)
        print("   ", [(ex.text[s:e], t) for s, e, t in ex.spans])
