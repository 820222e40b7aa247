set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s0.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_micro (1x8)'
$d0 << EOD
102714 4064.3106
124439808 993.521045
EOD
$d1 << EOD
102714 63736.0754
124439808 11389.4794
EOD
$d2 << EOD
102714 43870.8849
124439808 11661.3475
EOD
$d3 << EOD
102714 61384.9325
124439808 6892.89089
EOD
$d4 << EOD
102714 71844.3985
124439808 3313.68106
EOD
$d5 << EOD
102714 62523.2464
124439808 10109.7132
EOD
$d6 << EOD
102714 23544.5276
124439808 1088.32742
EOD
$d7 << EOD
102714 7379.77265
124439808 2130.67902
EOD
$d8 << EOD
102714 11112.8087
124439808 3005.5327
EOD
$d9 << EOD
102714 2924.21525
124439808 1238.00235
EOD
$d10 << EOD
102714 4883.59307
124439808 1500.58243
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'native-cuda bf16 on cuda:0', \
     $d2 using 1:2 with linespoints title 'native-cuda fp16 on cuda:0', \
     $d3 using 1:2 with linespoints title 'native-cuda fp32 on cuda:0', \
     $d4 using 1:2 with linespoints title 'native-cuda fp8 on cuda:0', \
     $d5 using 1:2 with linespoints title 'native-cuda int8 on cuda:0', \
     $d6 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu', \
     $d7 using 1:2 with linespoints title 'transformers-compile fp16 on cuda:0', \
     $d8 using 1:2 with linespoints title 'transformers-compile fp32 on cuda:0', \
     $d9 using 1:2 with linespoints title 'transformers-eager fp16 on cuda:0', \
     $d10 using 1:2 with linespoints title 'transformers-eager fp32 on cuda:0'
