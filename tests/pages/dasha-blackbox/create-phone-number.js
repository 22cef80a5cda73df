// Source: https://blackbox.dasha.ai/docs/api-reference/sipphonenumbers/create-phone-number
// (the page's JavaScript fetch example).
const options = {
  method: 'POST',
  headers: {Authorization: 'Bearer <token>', 'Content-Type': 'application/json'},
  body: JSON.stringify({
    phoneNumber: '<string>',
    credentialsId: '3c90c3cc-0d44-4b50-8888-8dd25736052a',
    displayName: null,
    description: null,
    registration: false
  })
};

fetch('https://blackbox.dasha.ai/api/v1/sip-phone-numbers', options)
  .then(res => res.json())
  .then(res => console.log(res))
  .catch(err => console.error(err));
