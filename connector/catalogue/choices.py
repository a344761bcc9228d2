"""The connector's own product categories (mapped to each marketplace's later) and selling units."""

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "rice_grain": _l("Rice and grains"),
    "vegetables": _l("Vegetables"),
    "fruit": _l("Fruit"),
    "tea_coffee": _l("Tea and coffee"),
    "honey": _l("Honey"),
    "spices": _l("Spices and pepper"),
    "dried_specialties": _l("Dried goods and local specialties"),
    "seafood": _l("Fish and seafood"),
    "meat_poultry_eggs": _l("Meat, poultry and eggs"),
    "processed_food": _l("Processed food"),
    "herbs_medicinal": _l("Herbs and medicinal plants"),
    "beverages": _l("Drinks"),
    "handicrafts": _l("Handicrafts"),
}

# Units as Vietnamese sellers and buyers write them (not translated: they are the product's unit).
UNITS = ("kg", "g", "hộp", "chai", "túi", "bó", "con", "quả", "lít", "gói", "hũ", "thùng", "cái", "chục")
