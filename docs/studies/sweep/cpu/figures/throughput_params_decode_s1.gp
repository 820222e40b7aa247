set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'throughput_params_decode_s1.svg'
set key below left
set grid
set logscale xy
set xlabel 'parameters (from the manifest''s tensors)'
set ylabel 'decode_tokens_per_s (tokens/s), mean'
set title 'decode throughput vs size, single_long (1x128)'
$d0 << EOD
102714 436.799622
827088 478.32692
17867008 195.550208
51475968 67.9636873
124439808 68.784156
354823168 7.99555636
774030080 4.02895379
1557611200 3.6687844
EOD
$d1 << EOD
102714 5656.89284
827088 4918.14047
17867008 202.957666
51475968 150.202033
124439808 65.2288437
354823168 23.4121842
774030080 10.475909
1557611200 1.71134758
EOD
plot $d0 using 1:2 with linespoints title 'native-cpu fp32 on cpu', \
     $d1 using 1:2 with linespoints title 'onnxruntime-cpu fp32 on cpu'
