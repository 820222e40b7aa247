set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_prefill_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'prefill_tokens_per_s (tokens/s), mean'
set title 'prefill throughput vs size, single_long (1x128)'
$d0 << EOD
102714 120993.753
827088 151253.042
17867008 8538.59253
51475968 1773.79986
124439808 704.779005
354823168 223.199643
774030080 91.596499
1557611200 50.6323636
EOD
$d1 << EOD
102714 386614.351
827088 323688.507
17867008 10445.469
51475968 4102.22391
124439808 1307.65817
354823168 344.437272
774030080 169.042147
1557611200 66.8596055
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
