"""Plausible, diverse US names and the odds and ends of a profile.

Names are drawn with a gentle Zipf-like skew (earlier names in each list are more common), so
searches for a common name find many people and rare names find few, as in real lists.
"""

from __future__ import annotations

import random
import unicodedata

GIVEN_NAMES = (
    "Michael", "Maria", "James", "Jennifer", "David", "Jessica", "John", "Ashley", "Robert",
    "Sarah", "Christopher", "Emily", "Daniel", "Elizabeth", "Joseph", "Michelle", "William",
    "Amanda", "Matthew", "Melissa", "Jose", "Stephanie", "Anthony", "Nicole", "Joshua", "Laura",
    "Andrew", "Rebecca", "Kevin", "Angela", "Brian", "Karen", "Carlos", "Lisa", "Juan",
    "Patricia", "Luis", "Linda", "Mark", "Susan", "Jason", "Kimberly", "Thomas", "Mary",
    "Ryan", "Amy", "Eric", "Rachel", "Steven", "Heather", "Jonathan", "Andrea", "Justin",
    "Megan", "Jamal", "Aisha", "Tyrone", "Keisha", "DeShawn", "Latoya", "Darnell", "Imani",
    "Malik", "Ebony", "Terrence", "Tamika", "Andre", "Jasmine", "Marcus", "Monique", "Wei",
    "Mei", "Jian", "Li", "Hiroshi", "Yuki", "Min-jun", "Ji-woo", "Tuan", "Linh", "Minh",
    "Thanh", "Priya", "Raj", "Anjali", "Arjun", "Deepa", "Sanjay", "Fatima", "Omar", "Layla",
    "Ahmed", "Yasmin", "Hassan", "Noor", "Ali", "Miguel", "Sofia", "Alejandro", "Isabella",
    "Diego", "Valentina", "Javier", "Camila", "Ricardo", "Lucia", "Fernando", "Gabriela",
    "Alex", "Jordan", "Taylor", "Casey", "Morgan", "Riley", "Jamie", "Avery", "Noah", "Olivia",
    "Liam", "Emma", "Ethan", "Ava", "Mason", "Mia", "Lucas", "Harper", "Logan", "Abigail",
    "Elijah", "Chloe", "Aiden", "Grace", "Benjamin", "Hannah", "Samuel", "Zoe", "Nathan",
    "Natalie", "Kwame", "Ama", "Chinedu", "Ngozi", "Kofi", "Abena", "Tenzin", "Dolma",
    "Mohammed", "Amina", "Dmitri", "Olga", "Ivan", "Natasha", "Pierre", "Marie", "Jean",
    "Claude", "Giovanni", "Francesca", "Sean", "Siobhan", "Patrick", "Bridget", "Erik",
    "Ingrid", "Lars", "Astrid", "Kai", "Leilani", "Keoni", "Malia", "Dakota", "Winona",
    "Cheyenne", "Takoda", "Ruth", "Harold", "Dorothy", "Walter", "Betty", "Frank", "Helen",
    "George", "Margaret", "Raymond", "Shirley", "Gloria", "Eugene", "Doris", "Ramón", "José",
    "María", "Zoë", "Renée", "André", "Chloé", "Björn", "Siddharth", "Oluwaseun", "Xiomara",
)  # fmt: skip

FAMILY_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
    "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor",
    "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
    "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
    "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
    "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Gomez", "Phillips", "Evans",
    "Turner", "Diaz", "Parker", "Cruz", "Edwards", "Collins", "Reyes", "Stewart", "Morris",
    "Morales", "Murphy", "Cook", "Rogers", "Gutierrez", "Ortiz", "Morgan", "Cooper", "Peterson",
    "Bailey", "Reed", "Kelly", "Howard", "Ramos", "Kim", "Cox", "Ward", "Richardson", "Watson",
    "Brooks", "Chavez", "Wood", "James", "Bennett", "Gray", "Mendoza", "Ruiz", "Hughes",
    "Price", "Alvarez", "Castillo", "Sanders", "Patel", "Myers", "Long", "Ross", "Foster",
    "Jimenez", "Powell", "Jenkins", "Perry", "Russell", "Sullivan", "Bell", "Coleman", "Butler",
    "Henderson", "Barnes", "Gonzales", "Fisher", "Vasquez", "Simmons", "Romero", "Jordan",
    "Patterson", "Alexander", "Hamilton", "Graham", "Reynolds", "Griffin", "Wallace", "Moreno",
    "West", "Cole", "Hayes", "Bryant", "Herrera", "Gibson", "Ellis", "Tran", "Medina",
    "Aguilar", "Stevens", "Murray", "Ford", "Castro", "Marshall", "Owens", "Harrison",
    "Fernandez", "McDonald", "Woods", "Washington", "Kennedy", "Wells", "Vargas", "Henry",
    "Chen", "Freeman", "Webb", "Tucker", "Guzman", "Burns", "Crawford", "Olson", "Simpson",
    "Porter", "Hunter", "Gordon", "Mendez", "Silva", "Shaw", "Snyder", "Mason", "Dixon",
    "Munoz", "Hunt", "Hicks", "Holmes", "Palmer", "Wagner", "Black", "Robertson", "Boyd",
    "Rose", "Stone", "Salazar", "Fox", "Warren", "Mills", "Meyer", "Rice", "Schmidt", "Garza",
    "Daniels", "Ferguson", "Nichols", "Stephens", "Soto", "Weaver", "Ryan", "Gardner",
    "Payne", "Grant", "Dunn", "Wang", "Li", "Zhang", "Liu", "Huang", "Wu", "Yang", "Le",
    "Pham", "Hoang", "Vo", "Park", "Choi", "Kang", "Tanaka", "Yamamoto", "Sato", "Singh",
    "Shah", "Kumar", "Gupta", "Sharma", "Khan", "Ahmed", "Ali", "Hussain", "Haddad",
    "Mansour", "Okafor", "Adeyemi", "Mensah", "Osei", "Abebe", "Cohen", "Levy", "Friedman",
    "Kowalski", "Nowak", "Ivanov", "Petrov", "Rossi", "Russo", "O'Brien", "O'Connor",
    "Murphy-Jones", "Begay", "Yazzie", "Tsosie", "Kahananui", "Santos", "Oliveira", "Pierre",
    "Jean-Baptiste", "Muñoz", "Peña", "Nuñez", "Ibáñez",
)  # fmt: skip

BIOS = (
    "Neighbor, parent, first-time volunteer.",
    "I knock doors on weekends and make calls on Tuesdays.",
    "Retired teacher. Happy to host a house party.",
    "Student organizer on campus.",
    "Nurse working nights; I phone bank on my days off.",
    "Small business owner. Ask me about voter registration drives.",
    "Veteran. Driving voters to the polls on election day.",
    "Hablo español y puedo ayudar con traducciones.",
    "Union member for 20 years. Let's get out the vote.",
    "New to politics, here to help however I can.",
)  # fmt: skip

EMAIL_DOMAINS = (
    # IANA's reserved example domains (RFC 2606): no generated address can ever receive mail.
    ("example.com", 40),
    ("example.net", 25),
    ("example.org", 20),
    ("mail.example.com", 10),
    ("inbox.example.net", 5),
)

STREETS = (
    "Main", "Oak", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park", "Pine",
    "Lincoln", "Jefferson", "Church", "Highland", "Sunset", "River", "Market", "Spring",
    "Franklin", "Chestnut", "Walnut", "Madison", "Cherry", "Willow", "Martin Luther King Jr",
)  # fmt: skip
STREET_KINDS = ("St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Pl", "Way")


class Picker:
    """Draws from a sequence with a gentle skew, in O(1) per draw (a precomputed table)."""

    def __init__(self, values: tuple[str, ...] | list[str], *, skew: float = 12.0) -> None:
        weights = [1.0 / (rank + skew) for rank in range(len(values))]
        total = sum(weights)
        self.table: list[str] = []
        for value, weight in zip(values, weights, strict=True):
            self.table += [value] * max(1, round(4000 * weight / total))
        self.size = len(self.table)

    def draw(self, rng: random.Random) -> str:
        return self.table[int(rng.random() * self.size)]


def weighted_table[T](pairs: tuple[tuple[T, int], ...]) -> list[T]:
    """A lookup table for weighted draws: each value repeated by its integer weight."""
    return [value for value, weight in pairs for _ in range(weight)]


def ascii_slug(name: str) -> str:
    """The name as lower-case ASCII letters, for an email address: "Muñoz" -> "munoz"."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalpha())
