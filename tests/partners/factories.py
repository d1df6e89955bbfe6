"""Factories for recruitment: qualification questions and applications."""

import factory

from accord.partners.models import Application, QualificationQuestion


class QualificationQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QualificationQuestion

    text = factory.Sequence(lambda n: f"Question {n}?")
    weight = 1
    position = factory.Sequence(int)
    choices = factory.LazyFunction(lambda: [
        {"value": "none", "label": "None", "points": 0},
        {"value": "some", "label": "Some", "points": 5},
        {"value": "lots", "label": "Lots", "points": 10},
    ])


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    legal_name = factory.Sequence(lambda n: f"Applicant {n} Sp. z o.o.")
    country = "PL"
    city = "Gdańsk"
    web_domain = factory.Sequence(lambda n: f"applicant{n}.example.pl")
    contact_first_name = "Ewa"
    contact_last_name = "Zielińska"
    contact_email = factory.Sequence(lambda n: f"ewa{n}@applicant.example.pl")
    language = "pl"
    score = 50
