set terminal svg size 800,480 font 'Helvetica,11' noenhanced
set encoding utf8
set output 'roofline_m0_prefill.svg'
set key below left
set grid
set xtics ('single_micro (1x8)' 0, 'single_long (1x128)' 1, 'batch_medium (4x64)' 2) rotate by -20
set xrange [-0.5:2.5]
set logscale y
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
set ylabel 'measured / roofline floor (x), mean with 95% CI'
set title 'tiny-gpt2: prefill, prefill_roofline_ratio (1 = floor)'
$d0 << EOD
-0.03 185.882722 183.094079 188.671365
0.97 28.4039627 28.3546033 28.4533222
1.97 28.5990408 28.4837027 28.7143789
EOD
$d1 << EOD
0.03 14.9092133 11.8934522 17.9249744
1.03 2.86029694 2.5803248 3.14026908
2.03 2.47972751 2.41644374 2.54301128
EOD
plot $d0 using 1:2:3:4 with yerrorlines title 'native-cpu fp32 on cpu', \
     $d1 using 1:2:3:4 with yerrorlines title 'onnxruntime-cpu fp32 on cpu'
